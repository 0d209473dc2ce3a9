/*
 * elf_notes.c: the guest-ABI notes of a unikernel ELF: ukvm's ABI note, and Solo5's ABI1
 * and MFT1 (manifest) notes. Which ABI they choose is decided above (ukvm/abi/); here
 * they are found, bounds-checked and copied.
 */
#include <inttypes.h>
#include <libelf.h>
#include <stdio.h>
#include <string.h>

#include "elf_load.h"
#include "elf_load_priv.h"
#include "solo5_hvt_abi.h"
#include "ukvm_abi.h"

/* Where scan_notes records what it finds. */
struct note_finds {
    bool ukvm;
    uint32_t version;
    struct elf_abi_notes *abi;
};

/* True if the note's name is [name_off, name_off + namesz) == owner, NUL included. */
static bool note_owner_is(const uint8_t *p, uint64_t name_off, uint32_t namesz, const char *owner,
                          size_t owner_size)
{
    return namesz == owner_size && memcmp(p + name_off, owner, owner_size) == 0;
}

/* Records a Solo5 note (ABI1 or MFT1) of descsz bytes at desc; the first of each counts. */
static int take_solo5_note(const uint8_t *desc, uint32_t type, uint32_t descsz, const char *where,
                           struct elf_abi_notes *abi, char *err, size_t errlen)
{
    if (type == HVT_NOTE_ABI1) {
        if (descsz != sizeof(abi->solo5))
            return elf_fail(err, errlen,
                            "%s: Solo5 ABI note has a %" PRIu32 "-byte descriptor, need %zu", where,
                            descsz, sizeof(abi->solo5));
        if (!abi->solo5_abi)
            memcpy(&abi->solo5, desc, sizeof(abi->solo5));
        abi->solo5_abi = true;
    } else if (type == HVT_NOTE_MFT1) {
        /* The descriptor starts with padding that puts the manifest on 8 bytes. */
        if (descsz <= HVT_MFT1_DESC_PAD || descsz - HVT_MFT1_DESC_PAD > sizeof(abi->mft))
            return elf_fail(err, errlen,
                            "%s: Solo5 manifest note has a %" PRIu32
                            "-byte descriptor, outside 5..%zu (a manifest of at most %d entries)",
                            where, descsz, sizeof(abi->mft) + HVT_MFT1_DESC_PAD,
                            HVT_MFT_MAX_ENTRIES);
        if (!abi->solo5_mft) {
            abi->mft_size = descsz - HVT_MFT1_DESC_PAD;
            memcpy(abi->mft, desc + HVT_MFT1_DESC_PAD, abi->mft_size);
        }
        abi->solo5_mft = true;
    }
    return 0;
}

/*
 * Walks the notes in [p, p+len) (a PT_NOTE segment or a note section), whose entries are
 * padded to align (4, or 8 for 8-byte-aligned note groups such as GNU properties). Any
 * note that runs past the end is an error: a hostile length must not be skipped over.
 * Records the first ukvm ABI note and, when solo5 is set, Solo5's ABI1 and MFT1 notes.
 */
static int scan_notes(const uint8_t *p, uint64_t len, uint64_t align, const char *where, bool solo5,
                      struct note_finds *finds, char *err, size_t errlen)
{
    uint64_t off = 0;
    while (off < len) {
        uint32_t hdr[3]; /* namesz, descsz, type */
        if (len - off < NOTE_HDR_SIZE)
            return elf_fail(err, errlen,
                            "%s: truncated note header at offset 0x%" PRIx64 " (%" PRIu64
                            " bytes left, need %u)",
                            where, off, len - off, NOTE_HDR_SIZE);
        memcpy(hdr, p + off, sizeof(hdr));
        uint64_t name_off = off + NOTE_HDR_SIZE; /* <= len, checked above */
        uint64_t desc_off = 0, end = 0;
        /* Both lengths are 32-bit and every offset is <= len, so the sums below cannot wrap;
         * align_up still checks, for the rule's sake. */
        if (hdr[0] > len - name_off || !align_up(name_off + hdr[0], align, &desc_off) ||
            desc_off > len || hdr[1] > len - desc_off)
            return elf_fail(err, errlen,
                            "%s: note at offset 0x%" PRIx64 " (namesz %" PRIu32 ", descsz %" PRIu32
                            ") runs past the end (0x%" PRIx64 " bytes)",
                            where, off, hdr[0], hdr[1], len);
        if (!align_up(desc_off + hdr[1], align, &end) || end > len)
            end = len; /* the last note's tail padding may be cut off; harmless */
        if (note_owner_is(p, name_off, hdr[0], UKVM_NOTE_NAME, sizeof(UKVM_NOTE_NAME)) &&
            hdr[2] == UKVM_NOTE_ABI) {
            if (hdr[1] != sizeof(uint32_t))
                return elf_fail(err, errlen,
                                "%s: ukvm ABI note has a %" PRIu32 "-byte descriptor, need 4",
                                where, hdr[1]);
            if (!finds->ukvm)
                memcpy(&finds->version, p + desc_off, sizeof(finds->version));
            finds->ukvm = true;
        } else if (solo5 &&
                   note_owner_is(p, name_off, hdr[0], HVT_NOTE_NAME, sizeof(HVT_NOTE_NAME)) &&
                   take_solo5_note(p + desc_off, hdr[2], hdr[1], where, finds->abi, err, errlen) <
                       0) {
            return -1;
        }
        off = end;
    }
    return 0;
}

/* Note padding: 8 for 8-byte-aligned note groups, else the usual 4 (as libelf decides). */
static uint64_t note_align(uint64_t declared)
{
    return declared == 8 ? 8 : 4;
}

/*
 * Looks for the guest-ABI notes in PT_NOTE segments, then for a ukvm note in SHT_NOTE
 * sections named .note.ukvm. Exactly one ABI must be declared.
 */
int elf_find_abi_note(Elf *elf, const uint8_t *data, size_t size, size_t phnum, uint32_t *version,
                      struct elf_abi_notes *abi, char *err, size_t errlen)
{
    memset(abi, 0, sizeof(*abi));
    struct note_finds finds = {.abi = abi};
    char where[64];
    for (size_t i = 0; i < phnum; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(elf, (int)i, &ph))
            return elf_fail(err, errlen, "cannot read program header %zu: %s", i, elf_errmsg(-1));
        if (ph.p_type != PT_NOTE)
            continue;
        if (!range_in(ph.p_offset, ph.p_filesz, size))
            return elf_fail(err, errlen,
                            "segment %zu (PT_NOTE): file range 0x%" PRIx64 "+0x%" PRIx64
                            " past end of file (%zu bytes)",
                            i, (uint64_t)ph.p_offset, (uint64_t)ph.p_filesz, size);
        snprintf(where, sizeof(where), "segment %zu (PT_NOTE)", i);
        if (scan_notes(data + ph.p_offset, ph.p_filesz, note_align(ph.p_align), where, true, &finds,
                       err, errlen) != 0)
            return -1;
    }
    size_t shstrndx;
    /* No section headers at all is fine (a stripped file): then only PT_NOTE counts. */
    if (!finds.ukvm && !abi->solo5_abi && elf_getshdrstrndx(elf, &shstrndx) == 0) {
        for (Elf_Scn *scn = elf_nextscn(elf, NULL); scn && !finds.ukvm;
             scn = elf_nextscn(elf, scn)) {
            GElf_Shdr sh;
            if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
                continue;
            const char *name = elf_strptr(elf, shstrndx, sh.sh_name);
            if (!name || strcmp(name, ".note.ukvm") != 0)
                continue;
            size_t idx = elf_ndxscn(scn);
            if (!range_in(sh.sh_offset, sh.sh_size, size))
                return elf_fail(err, errlen,
                                "section %zu (.note.ukvm): file range 0x%" PRIx64 "+0x%" PRIx64
                                " past end of file (%zu bytes)",
                                idx, (uint64_t)sh.sh_offset, (uint64_t)sh.sh_size, size);
            snprintf(where, sizeof(where), "section %zu (.note.ukvm)", idx);
            if (scan_notes(data + sh.sh_offset, sh.sh_size, note_align(sh.sh_addralign), where,
                           false, &finds, err, errlen) != 0)
                return -1;
        }
    }
    abi->ukvm = finds.ukvm;
    *version = finds.ukvm ? finds.version : 0;
    if (!finds.ukvm && !abi->solo5_abi)
        return elf_fail(err, errlen,
                        "not a unikernel ukvm can run: it has neither a ukvm ABI note (.note.ukvm: "
                        "build it with ukvm's kernel) nor a Solo5 ABI note (.note.solo5.abi)");
    if (finds.ukvm && abi->solo5_abi)
        return elf_fail(err, errlen,
                        "both a ukvm ABI note and a Solo5 ABI note: it was linked with two "
                        "kernels; ukvm cannot tell which ABI it speaks");
    if (!finds.ukvm)
        return 0;
    if (*version != UKVM_ABI_VERSION)
        return elf_fail(err, errlen,
                        "built for ukvm ABI version %" PRIu32 ", this monitor speaks %d", *version,
                        UKVM_ABI_VERSION);
    return 0;
}
