/*
 * guest_abi.c: the two guest ABIs' descriptions and the choice between them.
 */
#include "guest_abi.h"
#include "ukvm/abi/ukvm/hypercall.h"

static int ukvm_setup_memory(struct guest_mem *mem, const struct elf_image *image, bool user_mode,
                             struct boot_layout *layout, char *err, size_t errlen)
{
    if (boot_layout_compute(mem->size, image, layout, err, errlen) < 0)
        return -1;
    layout->user_mode = user_mode;
    return boot_setup_memory(mem, image, layout, err, errlen);
}

static int ukvm_attach_devices(void *abi_state, const struct elf_image *image,
                               const struct block_devs *blocks, struct net_devs *nets, char *err,
                               size_t errlen)
{
    /* Devices are looked up by name at run time (BLOCK_INFO, NET_INFO): nothing to attach. */
    (void)abi_state, (void)image, (void)blocks, (void)nets, (void)err, (void)errlen;
    return 0;
}

static void ukvm_write_boot_info(struct guest_mem *mem, const struct boot_layout *layout,
                                 const struct guest_boot_params *p)
{
    boot_write_info(mem, layout, p->cmdline, &p->clock, p->stack_canary);
}

const struct guest_abi guest_abi_ukvm = {
    .name = "ukvm",
    .default_mem_mib = 64,
    .user_mode = true,
    .hc_port_base = UKVM_HC_PORT_BASE,
    .hc_port_count = 0x100,
    .final_calls = 1ULL << UKVM_HC_HALT | 1ULL << UKVM_HC_ABORT | 1ULL << UKVM_HC_TRAP,
    .setup_memory = ukvm_setup_memory,
    .initial_regs = boot_initial_regs,
    .attach_devices = ukvm_attach_devices,
    .write_boot_info = ukvm_write_boot_info,
    .dispatch = hypercall_dispatch,
    .hypercall_name = hypercall_name,
    .fatal_context = NULL,
    .user_fault = NULL,
};

static int hvt_memory(struct guest_mem *mem, const struct elf_image *image, bool user_mode,
                      struct boot_layout *layout, char *err, size_t errlen)
{
    if (user_mode)
        return hvt_setup_memory_user(mem, image, layout, err, errlen);
    return hvt_setup_memory(mem, image, layout, err, errlen);
}

static int hvt_attach(void *abi_state, const struct elf_image *image,
                      const struct block_devs *blocks, struct net_devs *nets, char *err,
                      size_t errlen)
{
    return hvt_attach_devices(abi_state, &image->notes, blocks, nets, err, errlen);
}

static void hvt_boot_info(struct guest_mem *mem, const struct boot_layout *layout,
                          const struct guest_boot_params *p)
{
    hvt_write_boot_info(mem, layout, p->image, p->abi_state, p->cmdline, p->clock.tsc_hz);
}

const struct guest_abi guest_abi_hvt = {
    .name = "Solo5 hvt",
    .default_mem_mib = 512, /* solo5-hvt's default */
    .mem_align = HVT_MEM_ALIGN,
    .user_mode = true,
    .hc_port_base = HVT_HYPERCALL_PIO_BASE,
    .hc_port_count = HVT_HC_MAX,
    .final_calls = 1ULL << HVT_HC_HALT,
    .setup_memory = hvt_memory,
    .initial_regs = hvt_initial_regs,
    .attach_devices = hvt_attach,
    .write_boot_info = hvt_boot_info,
    .dispatch = hvt_dispatch,
    .hypercall_name = hvt_hypercall_name,
    .fatal_context = hvt_fatal_context,
    .user_fault = hvt_user_fault,
};

const struct guest_abi *guest_abi_select(const struct elf_image *image, char *err, size_t errlen)
{
    if (image->notes.ukvm)
        return &guest_abi_ukvm;
    if (hvt_check_notes(&image->notes, err, errlen) < 0)
        return NULL;
    return &guest_abi_hvt;
}

void guest_abi_describe(FILE *out, const struct guest_abi *abi, const struct elf_image *image)
{
    if (abi == &guest_abi_ukvm) {
        fprintf(out, "ABI: ukvm, version %u\n", image->abi_version);
        fprintf(out, "devices: by name at run time (--block:NAME=FILE, --disk=FILE, "
                     "--net:NAME=TAP)\n");
        return;
    }
    fprintf(out, "ABI: Solo5 hvt, version %u\n", image->notes.solo5.abi_version);
    hvt_print_manifest(out, &image->notes);
}
