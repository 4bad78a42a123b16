#!/usr/bin/env bash
# Makes TorchSharp-cpu load on systems whose libstdc++ predates GCC 13 (Debian 12: GLIBCXX_3.4.30).
#
# TorchSharp's libLibTorchSharp.so requires GLIBCXX_3.4.32 for one symbol, std::ios_base_library_init(),
# which GCC 13's <iostream> references only to demand a libstdc++ that constructs the standard streams
# itself. Where the system libstdc++ lacks that version, this builds into .cache/torchsharp-compat/:
#   libglibcxx-compat.so  defines the symbol under GLIBCXX_3.4.32 and constructs the streams at load
#                         (src/ModelTrainer/Native/glibcxx_compat.cpp);
#   libLibTorchSharp.so   a copy of the package's library that needs the shim first (patchelf
#                         --add-needed) and whose GLIBCXX_3.4.32 requirement is weak
#                         (src/ModelTrainer/Native/weaken_version_need.c).
# The trainer loads that copy (Chat.ModelTrainer.Torch.TorchSharpNative). Nothing here is committed;
# a second run with the same inputs does nothing. Systems with GCC 13's libstdc++ or newer
# (Ubuntu 24.04, Debian 13) skip it all.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

needed_version=GLIBCXX_3.4.32
if [ "$(uname -s)" != Linux ] || [ "$(uname -m)" != x86_64 ]; then
  echo "setup-torchsharp: only linux-x64 loads TorchSharp's Linux build; nothing to do on $(uname -s)/$(uname -m)."
  exit 0
fi
# awk reads to the end: leaving early would end ldconfig with SIGPIPE, which pipefail turns into a failure.
libstdcxx="$(ldconfig -p | awk '/libstdc\+\+\.so\.6 \(libc6,x86-64\)/ && !found { print $NF; found = 1 }')"
if [ -z "$libstdcxx" ]; then
  echo "setup-torchsharp: no x86-64 libstdc++.so.6 in the loader cache (ldconfig -p)." >&2
  exit 1
fi
if grep -q -a "$needed_version" "$(readlink -f "$libstdcxx")"; then
  echo "setup-torchsharp: $libstdcxx provides $needed_version; TorchSharp loads as shipped."
  exit 0
fi

torchsharp_version="$(sed -n 's/.*PackageVersion Include="TorchSharp-cpu" Version="\([^"]*\)".*/\1/p' Directory.Packages.props)"
if [ -z "$torchsharp_version" ]; then
  echo "setup-torchsharp: no TorchSharp-cpu PackageVersion in Directory.Packages.props." >&2
  exit 1
fi
cache="$root/.cache/torchsharp-compat/torchsharp-$torchsharp_version"
native_src="$root/src/ModelTrainer/Native"

"$root/scripts/install-test-deps.sh" g++ patchelf
dotnet restore src/ModelTrainer/ModelTrainer.csproj -nologo -v q
packages="$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')"
original="${packages%/}/torchsharp/$torchsharp_version/runtimes/linux-x64/native/libLibTorchSharp.so"
if [ ! -f "$original" ]; then
  echo "setup-torchsharp: $original not found after restoring src/ModelTrainer." >&2
  exit 1
fi

stamp="$(cat "$original" "$native_src"/glibcxx_compat.cpp "$native_src"/glibcxx_compat.map \
  "$native_src"/weaken_version_need.c "${BASH_SOURCE[0]}" | sha256sum | cut -d' ' -f1)"
if [ -f "$cache/stamp" ] && [ "$(cat "$cache/stamp")" = "$stamp" ]; then
  echo "setup-torchsharp: $cache is up to date."
  exit 0
fi

echo "setup-torchsharp: $libstdcxx lacks $needed_version; building the compatibility copy in $cache"
mkdir -p "$(dirname "$cache")"
work="$(mktemp -d "$(dirname "$cache")/.build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
g++ -O2 -shared -fPIC -o "$work/libglibcxx-compat.so" "$native_src/glibcxx_compat.cpp" \
  -Wl,--version-script="$native_src/glibcxx_compat.map" -Wl,-soname,libglibcxx-compat.so
gcc -O2 -o "$work/weaken_version_need" "$native_src/weaken_version_need.c"
cp "$original" "$work/libLibTorchSharp.so"
chmod u+w "$work/libLibTorchSharp.so"
patchelf --add-needed libglibcxx-compat.so "$work/libLibTorchSharp.so"
"$work/weaken_version_need" "$work/libLibTorchSharp.so" "$needed_version"

# The loader must now accept the copy beside libtorch's own libraries (its RUNPATH $ORIGIN finds the
# shim); ldd still mentions the weak version, which the loader only reports.
libtorch_native="$(ls -d "${packages%/}"/libtorch-cpu-linux-x64/*/runtimes/linux-x64/native | tail -n 1)"
if LD_LIBRARY_PATH="$libtorch_native" ldd "$work/libLibTorchSharp.so" 2>&1 | grep -v 'weak version' | grep 'not found'; then
  echo "setup-torchsharp: the patched libLibTorchSharp.so still does not link (above)." >&2
  exit 1
fi

rm "$work/weaken_version_need"
echo "$stamp" > "$work/stamp"
rm -rf "$cache"
mv "$work" "$cache"
chmod 755 "$cache"
trap - EXIT
echo "setup-torchsharp: ready: $cache"
