/*
 * hvt_manifest.c: a Solo5 binary's ABI note and manifest: checks, device attachment,
 * and the listing for ukvm --info.
 *
 * The manifest comes from the file, so it is hostile until checked: its size must be
 * exactly that of its entry count, entry 0 must be the reserved entry, names must end
 * within their field, and the host-written fields must start clear, as Solo5 requires.
 * Handles are entry indexes; the monitor writes the attached flag and each device's
 * properties into its own copy, which the guest receives in its boot information.
 */
#include <stdio.h>
#include <string.h>

#include "hvt.h"

static const char *target_name(uint32_t target)
{
    switch (target) {
    case HVT_TARGET_HVT:
        return "hvt";
    case HVT_TARGET_SPT:
        return "spt";
    case HVT_TARGET_VIRTIO:
        return "virtio";
    case HVT_TARGET_MUEN:
        return "muen";
    case HVT_TARGET_GENODE:
        return "genode";
    case HVT_TARGET_XEN:
        return "xen";
    default:
        return NULL;
    }
}

static const char *type_name(uint32_t type)
{
    switch (type) {
    case HVT_MFT_BLOCK_BASIC:
        return "BLOCK_BASIC";
    case HVT_MFT_NET_BASIC:
        return "NET_BASIC";
    case HVT_MFT_RESERVED_FIRST:
        return "RESERVED_FIRST";
    default:
        return "unknown";
    }
}

static const struct hvt_mft *notes_mft(const struct elf_abi_notes *notes)
{
    return (const struct hvt_mft *)(const void *)notes->mft;
}

/* Checks the manifest bytes; -1 with the first problem in err. */
static int check_manifest(const struct elf_abi_notes *notes, char *err, size_t errlen)
{
    if (!notes->solo5_mft) {
        snprintf(err, errlen, "Solo5 hvt binary without a manifest note (.note.solo5.manifest)");
        return -1;
    }
    const struct hvt_mft *m = notes_mft(notes);
    if (notes->mft_size < sizeof(*m)) {
        snprintf(err, errlen, "Solo5 manifest of %u bytes is shorter than its header",
                 notes->mft_size);
        return -1;
    }
    if (m->version != HVT_MFT_VERSION) {
        snprintf(err, errlen, "Solo5 manifest version %u; ukvm reads version %d", m->version,
                 HVT_MFT_VERSION);
        return -1;
    }
    if (m->entries < 1 || m->entries > HVT_MFT_MAX_ENTRIES) {
        snprintf(err, errlen, "Solo5 manifest with %u entries; it must have 1 to %d", m->entries,
                 HVT_MFT_MAX_ENTRIES);
        return -1;
    }
    uint64_t want = sizeof(*m) + (uint64_t)m->entries * sizeof(struct hvt_mft_entry);
    if (notes->mft_size != want) {
        snprintf(err, errlen,
                 "Solo5 manifest of %u bytes does not match its %u entries (%llu bytes)",
                 notes->mft_size, m->entries, (unsigned long long)want);
        return -1;
    }
    if (m->e[0].type != HVT_MFT_RESERVED_FIRST || m->e[0].name[0] != '\0') {
        snprintf(err, errlen, "Solo5 manifest: entry 0 is not the reserved first entry");
        return -1;
    }
    for (uint32_t i = 0; i < m->entries; i++) {
        const struct hvt_mft_entry *e = &m->e[i];
        if (memchr(e->name, '\0', sizeof(e->name)) == NULL) {
            snprintf(err, errlen, "Solo5 manifest: the name of entry %u is not terminated", i);
            return -1;
        }
        if (e->attached) {
            snprintf(err, errlen,
                     "Solo5 manifest: entry %u (\"%s\") is marked attached in the "
                     "file",
                     i, e->name);
            return -1;
        }
    }
    return 0;
}

int hvt_check_notes(const struct elf_abi_notes *notes, char *err, size_t errlen)
{
    const char *target = target_name(notes->solo5.abi_target);
    if (notes->solo5.abi_target != HVT_TARGET_HVT) {
        if (target)
            snprintf(err, errlen,
                     "a Solo5 binary for the %s target; ukvm runs Solo5's hvt target (and "
                     "ukvm unikernels): rebuild it for hvt",
                     target);
        else
            snprintf(err, errlen,
                     "a Solo5 binary for an unknown target (%u); ukvm runs Solo5's hvt target",
                     notes->solo5.abi_target);
        return -1;
    }
    if (notes->solo5.abi_version != HVT_ABI_VERSION) {
        snprintf(err, errlen, "a Solo5 hvt binary for hvt ABI version %u; ukvm serves version %d",
                 notes->solo5.abi_version, HVT_ABI_VERSION);
        return -1;
    }
    return check_manifest(notes, err, errlen);
}

/*
 * The manifest entry named name, which must be of the given type: its index, or 0 (the
 * reserved entry) with one line in err.
 */
static uint32_t declared_entry(const struct hvt_mft *m, const char *name, uint32_t type, char *err,
                               size_t errlen)
{
    const char *kind = type == HVT_MFT_BLOCK_BASIC ? "block" : "network";
    uint32_t i = 1;
    while (i < m->entries && strcmp(m->e[i].name, name) != 0)
        i++;
    if (i == m->entries) {
        snprintf(err, errlen,
                 "%s device \"%s\" is not in the unikernel's manifest (ukvm --info lists the "
                 "devices it declares)",
                 kind, name);
        return 0;
    }
    if (m->e[i].type != type) {
        snprintf(err, errlen, "\"%s\" is a %s device in the unikernel's manifest, not a %s device",
                 name, type_name(m->e[i].type), kind);
        return 0;
    }
    return i;
}

int hvt_attach_devices(struct hvt_state *st, const struct elf_abi_notes *notes,
                       const struct block_devs *blocks, struct net_devs *nets, char *err,
                       size_t errlen)
{
    memset(st, 0, sizeof(*st));
    /* The caller checked the notes (hvt_check_notes); a state is never built unchecked. */
    char why[200];
    if (check_manifest(notes, why, sizeof(why)) < 0) {
        snprintf(err, errlen, "%s", why);
        return -1;
    }
    st->mft_size = notes->mft_size;
    memcpy(st->mft, notes->mft, notes->mft_size);
    struct hvt_mft *m = (struct hvt_mft *)(void *)st->mft;
    for (size_t i = 0; i < HVT_MFT_MAX_ENTRIES; i++)
        st->block_of_handle[i] = st->net_of_handle[i] = -1;

    /* Every device named on the command line must be one the program declared. */
    for (size_t d = 0; d < blocks->count; d++) {
        const struct block_dev *dev = &blocks->devs[d];
        uint32_t i = declared_entry(m, dev->name, HVT_MFT_BLOCK_BASIC, err, errlen);
        if (i == 0)
            return -1;
        struct hvt_mft_entry *e = &m->e[i];
        e->attached = 1;
        e->u.block.capacity = dev->capacity;
        e->u.block.block_size = (uint16_t)dev->block_size;
        e->host_private = 0;
        st->block_of_handle[i] = (int16_t)d;
    }
    for (size_t d = 0; nets && d < nets->count; d++) {
        struct net_dev *dev = &nets->devs[d];
        uint32_t i = declared_entry(m, dev->name, HVT_MFT_NET_BASIC, err, errlen);
        if (i == 0)
            return -1;
        struct hvt_mft_entry *e = &m->e[i];
        e->attached = 1;
        memcpy(e->u.net.mac, dev->mac, sizeof(e->u.net.mac));
        e->u.net.mtu = (uint16_t)dev->mtu; /* net_dev.c keeps it below 65536 */
        e->host_private = 0;
        st->net_of_handle[i] = (int16_t)d;
        dev->polled = true; /* as the hvt tender waits on every attached device */
        st->handle_of_net[d] = (uint8_t)i;
    }
    /* And every device it declared must be attached, as the hvt tender requires. */
    for (uint32_t i = 1; i < m->entries; i++) {
        const struct hvt_mft_entry *e = &m->e[i];
        if (e->attached || e->type >= HVT_MFT_RESERVED_FIRST)
            continue;
        if (e->type == HVT_MFT_NET_BASIC)
            snprintf(err, errlen,
                     "the unikernel's manifest declares network device \"%s\": give it a tap "
                     "interface with --net:%s=TAP",
                     e->name, e->name);
        else if (e->type == HVT_MFT_BLOCK_BASIC)
            snprintf(err, errlen,
                     "the unikernel's manifest declares block device \"%s\": give it a file "
                     "with --block:%s=FILE",
                     e->name, e->name);
        else
            snprintf(err, errlen,
                     "the unikernel's manifest declares device \"%s\" of unknown type %u", e->name,
                     e->type);
        return -1;
    }
    return 0;
}

void hvt_print_manifest(FILE *out, const struct elf_abi_notes *notes)
{
    const struct hvt_mft *m = notes_mft(notes);
    if (m->entries <= 1) {
        fprintf(out, "devices: none\n");
        return;
    }
    fprintf(out, "devices (%u):\n", m->entries - 1);
    for (uint32_t i = 1; i < m->entries; i++) {
        uint32_t type = m->e[i].type;
        fprintf(out, "  %-20s %-12s ", m->e[i].name, type_name(type));
        if (type == HVT_MFT_BLOCK_BASIC)
            fprintf(out, "--block:%s=FILE", m->e[i].name);
        else if (type == HVT_MFT_NET_BASIC)
            fprintf(out, "--net:%s=TAP", m->e[i].name);
        fputc('\n', out);
    }
}
