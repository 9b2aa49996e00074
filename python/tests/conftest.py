# SPDX-License-Identifier: MIT
# The tests import the module from this source tree (python/), not from an
# installed copy; ZIPSCAN_LIBRARY names the library under test.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
