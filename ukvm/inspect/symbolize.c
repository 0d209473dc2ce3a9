/*
 * symbolize.c: guest addresses to function+offset and file:line with elfutils' libdwfl.
 *
 * The unikernel ELF comes from the guest's author and may be hostile or broken, so
 * before libdwfl sees it the file is checked to be what ukvm runs (a 64-bit x86-64
 * ET_EXEC) and to hold every section and segment it claims to hold. libdwfl is then
 * set up "offline": one module at its link addresses, no search for separate debug
 * files (no /usr/lib/debug, no debuginfod network fetches): the unikernel carries its
 * own -g.
 */
#include "symbolize_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "strbuf.h"

__attribute__((format(printf, 3, 4))) static void set_err(char *err, size_t errlen, const char *fmt,
                                                          ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* True when [off, off+size) lies inside a file of file_size bytes, without overflow. */
static bool in_file(uint64_t off, uint64_t size, uint64_t file_size)
{
    return off <= file_size && size <= file_size - off;
}

/* Checks the ELF's headers and extents; on failure writes why into err. */
static int check_elf_file(Elf *e, uint64_t file_size, char *err, size_t errlen)
{
    if (elf_kind(e) != ELF_K_ELF) {
        set_err(err, errlen, "not an ELF file");
        return -1;
    }
    GElf_Ehdr eh;
    if (!gelf_getehdr(e, &eh)) {
        set_err(err, errlen, "bad ELF header: %s", elf_errmsg(-1));
        return -1;
    }
    if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB ||
        eh.e_machine != EM_X86_64) {
        set_err(err, errlen, "not a 64-bit little-endian x86-64 ELF");
        return -1;
    }
    if (eh.e_type != ET_EXEC) {
        set_err(err, errlen, "not an executable (ELF type %u, expected ET_EXEC)", eh.e_type);
        return -1;
    }

    size_t shnum, phnum;
    if (elf_getshdrnum(e, &shnum) != 0 || elf_getphdrnum(e, &phnum) != 0) {
        set_err(err, errlen, "bad ELF header: %s", elf_errmsg(-1));
        return -1;
    }
    /*
     * libelf quietly reports no sections when their table does not fit in the file, so
     * compare with the header's own count (0 and PN_XNUM mean "extended", see gABI).
     */
    if ((eh.e_shnum != 0 && shnum != eh.e_shnum) ||
        (eh.e_phnum != PN_XNUM && phnum != eh.e_phnum)) {
        set_err(err, errlen, "truncated ELF: header tables lie past the end of the file");
        return -1;
    }
    if (!in_file(eh.e_shoff, (uint64_t)shnum * eh.e_shentsize, file_size) ||
        !in_file(eh.e_phoff, (uint64_t)phnum * eh.e_phentsize, file_size)) {
        set_err(err, errlen, "truncated ELF: header tables lie past the end of the file");
        return -1;
    }
    for (size_t i = 0; i < phnum; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(e, (int)i, &ph)) {
            set_err(err, errlen, "bad program header %zu: %s", i, elf_errmsg(-1));
            return -1;
        }
        if (!in_file(ph.p_offset, ph.p_filesz, file_size)) {
            set_err(err, errlen, "truncated ELF: segment %zu lies past the end of the file", i);
            return -1;
        }
    }
    for (Elf_Scn *scn = elf_nextscn(e, NULL); scn; scn = elf_nextscn(e, scn)) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh)) {
            set_err(err, errlen, "bad section header: %s", elf_errmsg(-1));
            return -1;
        }
        if (sh.sh_type != SHT_NOBITS && !in_file(sh.sh_offset, sh.sh_size, file_size)) {
            set_err(err, errlen, "truncated ELF: section %zu lies past the end of the file",
                    elf_ndxscn(scn));
            return -1;
        }
    }
    return 0;
}

static int check_elf(const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        set_err(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        set_err(err, errlen, "%s: not a regular file", path);
        close(fd);
        return -1;
    }
    if (elf_version(EV_CURRENT) == EV_NONE) {
        set_err(err, errlen, "libelf: %s", elf_errmsg(-1));
        close(fd);
        return -1;
    }
    int ret = -1;
    Elf *e = elf_begin(fd, ELF_C_READ, NULL);
    if (!e) {
        set_err(err, errlen, "%s: %s", path, elf_errmsg(-1));
    } else {
        char why[200] = "";
        ret = check_elf_file(e, (uint64_t)st.st_size, why, sizeof(why));
        if (ret != 0)
            set_err(err, errlen, "%s: %s", path, why);
        elf_end(e);
    }
    close(fd);
    return ret;
}

/*
 * The module was reported with its file already open, so libdwfl never needs to find
 * the main ELF; separate debug files are deliberately not looked for.
 */
static int find_no_elf(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base,
                       char **file_name, Elf **elfp)
{
    (void)mod, (void)userdata, (void)modname, (void)base, (void)file_name, (void)elfp;
    return -1;
}

static int find_no_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname,
                             Dwarf_Addr base, const char *file_name, const char *debuglink_file,
                             GElf_Word debuglink_crc, char **debuginfo_file_name)
{
    (void)mod, (void)userdata, (void)modname, (void)base, (void)file_name;
    (void)debuglink_file, (void)debuglink_crc, (void)debuginfo_file_name;
    return -1;
}

/* libdw's own offline placement, reached through the table loaded at run time. */
static int offline_section_address(Dwfl_Module *mod, void **userdata, const char *modname,
                                   Dwarf_Addr base, const char *secname, GElf_Word shndx,
                                   const GElf_Shdr *shdr, Dwarf_Addr *addr)
{
    return libdw.dwfl_offline_section_address(mod, userdata, modname, base, secname, shndx, shdr,
                                              addr);
}

static const Dwfl_Callbacks offline_callbacks = {
    .find_elf = find_no_elf,
    .find_debuginfo = find_no_debuginfo,
    .section_address = offline_section_address,
};

struct symbolizer *symbolizer_open(const char *path, char *err, size_t errlen)
{
    if (!path) {
        set_err(err, errlen, "no ELF file given");
        return NULL;
    }
    if (check_elf(path, err, errlen) != 0 || libdw_api_load(err, errlen) != 0)
        return NULL;

    struct symbolizer *sym = calloc(1, sizeof(*sym));
    if (!sym) {
        set_err(err, errlen, "out of memory");
        return NULL;
    }
    sym->dwfl = libdw.dwfl_begin(&offline_callbacks);
    if (!sym->dwfl) {
        set_err(err, errlen, "libdwfl: %s", libdw.dwfl_errmsg(-1));
        free(sym);
        return NULL;
    }
    libdw.dwfl_report_begin(sym->dwfl);
    const char *base = strrchr(path, '/');
    sym->mod = libdw.dwfl_report_offline(sym->dwfl, base ? base + 1 : path, path, -1);
    if (!sym->mod || libdw.dwfl_report_end(sym->dwfl, NULL, NULL) != 0) {
        set_err(err, errlen, "%s: %s", path, libdw.dwfl_errmsg(-1));
        symbolizer_close(sym);
        return NULL;
    }
    /* Without an unwinder, backtraces still work through frame pointers. */
    sym->can_unwind = backtrace_attach(sym);
    return sym;
}

void symbolizer_close(struct symbolizer *sym)
{
    if (!sym)
        return;
    if (sym->dwfl)
        libdw.dwfl_end(sym->dwfl);
    free(sym);
}

/* A FUNC or OBJECT symbol whose [value, value+size) holds addr, with its offset; or NULL. */
static const char *typed_symbol_at(Dwfl_Module *mod, uint64_t addr, GElf_Off *offset)
{
    int n = libdw.dwfl_module_getsymtab(mod);
    for (int i = 1; i < n; i++) {
        GElf_Sym s;
        GElf_Addr value;
        const char *nm = libdw.dwfl_module_getsym_info(mod, i, &s, &value, NULL, NULL, NULL);
        int type = GELF_ST_TYPE(s.st_info);
        if (!nm || !*nm || (type != STT_FUNC && type != STT_OBJECT) || s.st_shndx == SHN_UNDEF)
            continue;
        if (addr >= value && addr - value < s.st_size) {
            *offset = addr - value;
            return nm;
        }
    }
    return NULL;
}

int symbolizer_lookup(struct symbolizer *sym, uint64_t addr, struct symbol_info *out)
{
    memset(out, 0, sizeof(*out));
    if (!sym)
        return -1;
    Dwfl_Module *mod = libdw.dwfl_addrmodule(sym->dwfl, addr);
    if (!mod)
        return -1;
    GElf_Off offset = 0;
    GElf_Sym elf_sym;
    const char *name = libdw.dwfl_module_addrinfo(mod, addr, &offset, &elf_sym, NULL, NULL, NULL);
    /*
     * libdwfl prefers a global symbol over a local one at the same address, so a linker
     * script marker (_data, _etext: untyped, size 0) can hide the static variable or
     * function that really lives there. Prefer a typed symbol whose extent holds addr.
     */
    if (name && GELF_ST_TYPE(elf_sym.st_info) == STT_NOTYPE && elf_sym.st_size == 0) {
        const char *better = typed_symbol_at(mod, addr, &offset);
        if (better)
            name = better;
    }
    if (name && *name) {
        out->function = name;
        out->offset = offset;
    }
    Dwfl_Line *line = libdw.dwfl_module_getsrc(mod, addr);
    if (line) {
        int lineno = 0;
        const char *file = libdw.dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL);
        if (file) {
            out->file = file;
            out->line = lineno;
        }
    }
    return out->function ? 0 : -1;
}

/*
 * The function holding addr (is_return: the call before it) into *si, and the address
 * looked up into *at. False when no function holds it.
 */
static bool lookup_pc(struct symbolizer *sym, uint64_t addr, bool is_return, uint64_t *at,
                      struct symbol_info *si)
{
    /* A call that ends a function returns to the next one's first byte: look at the call. */
    *at = (is_return && addr > 0) ? addr - 1 : addr;
    if (symbolizer_lookup(sym, *at, si) == 0)
        return true;
    /*
     * No function holds addr, yet one ends right before it: addr is the return address
     * of a noreturn call that ends that function (solo5_abort's call site, say), handed
     * over as if it were an exact pc. Name the call.
     */
    if (*at != addr || addr == 0 || symbolizer_lookup(sym, addr - 1, si) != 0)
        return false;
    *at = addr - 1;
    return true;
}

/* " (file.c:42)" with the file's base name, or nothing without a line. */
static void format_line(struct strbuf *sb, const char *file, int line)
{
    if (file && line > 0) {
        const char *slash = strrchr(file, '/');
        strbuf_printf(sb, " (%s:%d)", slash ? slash + 1 : file, line);
    }
}

char *symbolize_format_frame(struct symbolizer *sym, uint64_t addr, bool is_return,
                             const struct inline_frame *call, char *buf, size_t len)
{
    struct strbuf sb;
    strbuf_init(&sb, buf, len);
    uint64_t at;
    struct symbol_info si;
    if (!lookup_pc(sym, addr, is_return, &at, &si))
        return buf;
    strbuf_printf(&sb, "%s+0x%" PRIx64, si.function, si.offset + (addr - at));
    if (call)
        format_line(&sb, call->file, call->line);
    else
        format_line(&sb, si.file, si.line);
    return buf;
}

int symbolize_inline_chain_pc(struct symbolizer *sym, uint64_t addr, bool is_return,
                              struct inline_frame *out, int max)
{
    uint64_t at;
    struct symbol_info si;
    if (!lookup_pc(sym, addr, is_return, &at, &si))
        return 0;
    return symbolizer_inline_chain(sym, at, out, max);
}

bool symbolizer_is_code(struct symbolizer *sym, uint64_t addr)
{
    if (!sym)
        return false;
    GElf_Addr bias;
    Elf *elf = libdw.dwfl_module_getelf(sym->mod, &bias);
    size_t phnum;
    if (!elf || elf_getphdrnum(elf, &phnum) != 0)
        return false;
    for (size_t i = 0; i < phnum; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD || !(ph.p_flags & PF_X))
            continue;
        uint64_t start = ph.p_vaddr + bias;
        if (addr >= start && addr - start < ph.p_memsz)
            return true;
    }
    return false;
}

char *symbolizer_format(struct symbolizer *sym, uint64_t addr, char *buf, size_t len)
{
    struct inline_frame chain[SYMBOLIZE_INLINE_MAX];
    int n = symbolize_inline_chain_pc(sym, addr, false, chain, SYMBOLIZE_INLINE_MAX);
    if (n >= 2 && chain[0].function && len > 0) {
        struct strbuf sb;
        strbuf_init(&sb, buf, len);
        strbuf_printf(&sb, "%s", chain[0].function);
        format_line(&sb, chain[0].file, chain[0].line);
        strbuf_printf(&sb, ", inlined into ");
        size_t used = strlen(buf);
        symbolize_format_frame(sym, addr, false, &chain[n - 1], buf + used, len - used);
        return buf;
    }
    symbolize_format_frame(sym, addr, false, NULL, buf, len);
    if (len > 0 && buf[0] == '\0')
        snprintf(buf, len, "0x%" PRIx64 " (no symbol)", addr);
    return buf;
}

int symbolizer_lookup_name(struct symbolizer *sym, const char *name, uint64_t *addr)
{
    if (!sym || !name)
        return -1;
    int n = libdw.dwfl_module_getsymtab(sym->mod);
    bool found_local = false;
    uint64_t local_addr = 0;
    /* Entry 0 is the null symbol. A global wins over a same-named static. */
    for (int i = 1; i < n; i++) {
        GElf_Sym s;
        GElf_Addr a;
        GElf_Word shndx;
        const char *nm = libdw.dwfl_module_getsym_info(sym->mod, i, &s, &a, &shndx, NULL, NULL);
        if (!nm || strcmp(nm, name) != 0 || s.st_shndx == SHN_UNDEF)
            continue;
        int type = GELF_ST_TYPE(s.st_info);
        if (type == STT_SECTION || type == STT_FILE)
            continue;
        if (GELF_ST_BIND(s.st_info) != STB_LOCAL) {
            *addr = a;
            return 0;
        }
        if (!found_local) {
            found_local = true;
            local_addr = a;
        }
    }
    if (found_local) {
        *addr = local_addr;
        return 0;
    }
    return -1;
}

void symbolizer_for_each_name(struct symbolizer *sym, void (*fn)(void *arg, const char *name),
                              void *arg)
{
    if (!sym)
        return;
    int n = libdw.dwfl_module_getsymtab(sym->mod);
    for (int i = 1; i < n; i++) {
        GElf_Sym s;
        GElf_Addr value;
        const char *nm = libdw.dwfl_module_getsym_info(sym->mod, i, &s, &value, NULL, NULL, NULL);
        int type = GELF_ST_TYPE(s.st_info);
        if (nm && *nm && (type == STT_FUNC || type == STT_OBJECT) && s.st_shndx != SHN_UNDEF)
            fn(arg, nm);
    }
}

int symbolizer_symbol_range(struct symbolizer *sym, uint64_t addr, uint64_t *start, uint64_t *size)
{
    if (!sym)
        return -1;
    int n = libdw.dwfl_module_getsymtab(sym->mod);
    for (int i = 1; i < n; i++) {
        GElf_Sym s;
        GElf_Addr value;
        const char *nm = libdw.dwfl_module_getsym_info(sym->mod, i, &s, &value, NULL, NULL, NULL);
        int type = GELF_ST_TYPE(s.st_info);
        if (!nm || (type != STT_FUNC && type != STT_OBJECT) || s.st_shndx == SHN_UNDEF ||
            s.st_size == 0)
            continue;
        if (addr >= value && addr - value < s.st_size) {
            *start = value;
            *size = s.st_size;
            return 0;
        }
    }
    return -1;
}
