/*
 * weaken_version_need FILE VERSION: marks every requirement of VERSION in FILE's .gnu.version_r
 * (the ELF version-needs table) as VER_FLG_WEAK, in place.
 *
 * The dynamic loader refuses a library whose non-weak version requirement the named dependency lacks,
 * even when no relocation binds a symbol of that version; a weak requirement it only reports under
 * LD_DEBUG. patchelf --clear-symbol-version rewrites .gnu.version but leaves this table alone, so the
 * load still fails without this step.
 */
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s FILE VERSION\n", argv[0]);
        return 2;
    }

    int fd = open(argv[1], O_RDWR);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        perror(argv[1]);
        return 1;
    }

    unsigned char *image = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (image == MAP_FAILED) {
        perror(argv[1]);
        return 1;
    }

    const Elf64_Ehdr *header = (const Elf64_Ehdr *)image;
    if ((size_t)st.st_size < sizeof(Elf64_Ehdr) || memcmp(header->e_ident, ELFMAG, SELFMAG) != 0
        || header->e_ident[EI_CLASS] != ELFCLASS64) {
        fprintf(stderr, "%s: not a 64-bit ELF file\n", argv[1]);
        return 1;
    }

    const Elf64_Shdr *sections = (const Elf64_Shdr *)(image + header->e_shoff);
    int weakened = 0;
    for (int i = 0; i < header->e_shnum; i++) {
        if (sections[i].sh_type != SHT_GNU_verneed) {
            continue;
        }

        const char *strings = (const char *)(image + sections[sections[i].sh_link].sh_offset);
        unsigned char *entry = image + sections[i].sh_offset;
        for (Elf64_Word n = 0; n < sections[i].sh_info; n++) {
            Elf64_Verneed *need = (Elf64_Verneed *)entry;
            unsigned char *aux = entry + need->vn_aux;
            for (Elf64_Half j = 0; j < need->vn_cnt; j++) {
                Elf64_Vernaux *version = (Elf64_Vernaux *)aux;
                if (strcmp(strings + version->vna_name, argv[2]) == 0) {
                    version->vna_flags |= VER_FLG_WEAK;
                    weakened++;
                }

                aux += version->vna_next;
            }

            entry += need->vn_next;
        }
    }

    munmap(image, (size_t)st.st_size);
    close(fd);
    if (weakened == 0) {
        fprintf(stderr, "%s: no requirement of version %s\n", argv[1], argv[2]);
        return 1;
    }

    return 0;
}
