// SPDX-License-Identifier: MIT
// example.cpp - the same from C++: zipscan.h must compile as C++ (its
// extern "C" guards) and link through pkg-config alone.
#include <zipscan.h>

#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

struct closer {
	void operator()(zs_archive *a) const { zs_close(a); }
};
using archive_ptr = std::unique_ptr<zs_archive, closer>;

std::string read_entry(zs_archive *a, std::size_t i)
{
	std::string out;
	auto append = [](void *ctx, const void *data, std::size_t len) {
		static_cast<std::string *>(ctx)->append(
			static_cast<const char *>(data), len);
		return 0;
	};
	if (zs_entry_read_cb(a, i, append, &out, nullptr) != 0)
		throw std::runtime_error("cannot read entry");
	return out;
}

} // namespace

int main(int argc, char **argv)
{
	if (argc != 3) {
		std::cerr << "usage: example ARCHIVE ENTRY\n";
		return 10;
	}
	int status = 0;
	archive_ptr a(zs_open(argv[1], nullptr, &status));
	if (!a || !zs_archive_indexed(a.get()))
		return status ? status : 4;
	std::vector<std::string> names;
	for (std::size_t i = 0; i < zs_entry_count(a.get()); i++) {
		zs_entry e;
		zs_entry_get(a.get(), i, &e);
		std::string name(3 * e.name_len + 1, '\0');
		name.resize(zs_entry_name_utf8(a.get(), i, &name[0]));
		std::cout << "entry " << name << " size " << e.uncompressed_size
			  << (e.is_dir ? " dir" : "") << "\n";
		if (name == argv[2])
			std::cout << "read " << name << ": "
				  << read_entry(a.get(), i);
	}
	std::cout << "status " << zs_archive_status(a.get()) << "\n";
	return 0;
}
