// Stands in for the one GLIBCXX_3.4.32 (GCC 13) symbol libLibTorchSharp.so asks for, on systems whose
// libstdc++ is older (Debian 12 ships 3.4.30).
//
// GCC 13 moved the construction of std::cout and friends into libstdc++ itself and made <iostream>
// reference std::ios_base_library_init() only to demand a libstdc++ that does so. An older libstdc++
// constructs the streams once per translation unit that holds an ios_base::Init object; this library
// holds one, and it is loaded as a dependency of the patched libLibTorchSharp.so, so the streams are
// constructed before any of that library's own static constructors run, as GCC 13 promises.
#include <ios>

namespace std
{
void ios_base_library_init();
}

namespace
{
std::ios_base::Init streams_initialised_at_load;
}

void std::ios_base_library_init() {}
