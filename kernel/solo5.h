/*
 * solo5.h: the public Solo5 application interface, as implemented by the ukvm kernel.
 *
 * Prototypes, types and constants match Solo5's include/solo5/solo5.h (the handle-based
 * API of Solo5 0.6 and later), so a program written for Solo5 builds against ukvm
 * unchanged. Freestanding: only <stddef.h>, <stdint.h> and <stdbool.h> are used.
 *
 * Differences in behaviour from Solo5, all within what Solo5's documentation allows:
 *   - there is no application manifest: block and network devices are the ones given to
 *     the monitor on its command line (--disk, --block:NAME=FILE, --net:NAME=TAP), looked
 *     up by name;
 *   - solo5_block_read/write accept any positive multiple of the block size, where Solo5
 *     accepts exactly one block.
 */
#ifndef SOLO5_H_INCLUDED
#define SOLO5_H_INCLUDED

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/*
 * Result of the calls that can fail. Applications must not rely on getting EINVAL or
 * EUNSPEC rather than an abort, as in Solo5. Numerically equal to the monitor's UKVM_R_*.
 */
typedef enum {
    SOLO5_R_OK = 0,  /* done */
    SOLO5_R_AGAIN,   /* cannot be done now; the same call may succeed later */
    SOLO5_R_EINVAL,  /* invalid argument */
    SOLO5_R_EUNSPEC, /* failed for another reason (a host I/O error) */
} solo5_result_t;

/*
 * Start-of-day information handed to solo5_app_main; read-only for the application.
 * cmdline is the NUL-terminated argument string given to the monitor after the
 * unikernel (arguments joined by single spaces). [heap_start, heap_start + heap_size)
 * is free read/write, non-executable memory the application may use as it likes.
 */
struct solo5_start_info {
    const char *cmdline;
    uintptr_t heap_start;
    size_t heap_size;
};

/*
 * The application's entry point, called once by the kernel after start-up.
 * Returning from it is the same as calling solo5_exit() with the returned value.
 */
int solo5_app_main(const struct solo5_start_info *info);

/* Exit statuses. Values of 255 and above are reserved for Solo5 (and ukvm). */
#define SOLO5_EXIT_SUCCESS 0
#define SOLO5_EXIT_FAILURE 1
#define SOLO5_EXIT_ABORT   255

/* Ends the application; the monitor exits with (status). Never returns. */
void solo5_exit(int status) __attribute__((noreturn));

/*
 * Ends the application abnormally: the monitor prints the registers and a backtrace of
 * the caller and exits with SOLO5_EXIT_ABORT. Never returns.
 */
void solo5_abort(void) __attribute__((noreturn));

/*
 * Thread-local storage (__thread variables), as in Solo5. The application allocates one
 * TLS block per thread of its own, prepares it and points the TLS base at it:
 *
 *   uintptr_t tls = (uintptr_t)calloc(1, solo5_tls_size());   // 16-byte aligned memory
 *   solo5_tls_init(tls);                                       // copies .tdata in
 *   solo5_set_tls_base(solo5_tls_tp_offset(tls));              // %fs now points at it
 *
 * x86_64 uses TLS "variant II": the variables sit below the thread pointer, and the
 * thread pointer's first word points to itself (the TCB), which is what %fs:0 reads.
 *
 *   tls                                        tp = solo5_tls_tp_offset(tls)
 *   | .tdata (initialised) | .tbss (zeroed) |  | self pointer |
 *   '----- the program's TLS segment -------'  '--- 8 bytes --'
 */

/* Bytes needed for one TLS block: the TLS segment plus the self pointer. */
size_t solo5_tls_size(void);

/* The thread pointer (the value for solo5_set_tls_base) of the TLS block at (tls). */
uintptr_t solo5_tls_tp_offset(uintptr_t tls);

/*
 * Prepares the solo5_tls_size() bytes at (tls): copies the initial values of .tdata,
 * zeroes .tbss and stores the self pointer. Returns SOLO5_R_EINVAL for a NULL (tls).
 */
solo5_result_t solo5_tls_init(uintptr_t tls);

/*
 * Sets the x86_64 TLS base register (%fs base) to (base). Returns SOLO5_R_EINVAL for a
 * non-canonical address (which the CPU would refuse), otherwise SOLO5_R_OK.
 */
solo5_result_t solo5_set_tls_base(uintptr_t base);

/* Time in nanoseconds. */
typedef uint64_t solo5_time_t;

/* Nanoseconds on a clock that never goes back, counted from an unspecified origin. */
solo5_time_t solo5_clock_monotonic(void);

/* Nanoseconds since the UNIX epoch (1970-01-01 00:00:00 UTC). */
solo5_time_t solo5_clock_wall(void);

/* An I/O device handle, and a set of up to 64 handles (bit n = handle n). */
typedef uint64_t solo5_handle_t;
typedef uint64_t solo5_handle_set_t;

/*
 * Suspends the application until monotonic time reaches (deadline) or a device has input.
 * If (ready_set) is not NULL it receives the set of handles ready for input (empty when
 * the deadline passed). A deadline in the past returns at once.
 */
void solo5_yield(solo5_time_t deadline, solo5_handle_set_t *ready_set);

/* Writes (size) bytes at (buf) to the console. Best effort: it always "succeeds". */
void solo5_console_write(const char *buf, size_t size);

/* Ethernet address length and frame header (destination, source, type) length, bytes. */
#define SOLO5_NET_ALEN 6
#define SOLO5_NET_HLEN 14

struct solo5_net_info {
    uint8_t mac_address[SOLO5_NET_ALEN];
    size_t mtu; /* not including the Ethernet header */
};

/*
 * Acquires the network device called (name) (ukvm --net:NAME=TAP), storing its handle in
 * (*handle) and its MAC address and MTU in (*info). Returns SOLO5_R_EINVAL for a name the
 * monitor was not given (as Solo5's hvt bindings do) and when the device was acquired
 * before.
 */
solo5_result_t solo5_net_acquire(const char *name, solo5_handle_t *handle,
                                 struct solo5_net_info *info);

/*
 * Sends one Ethernet frame of (size) bytes, header included (SOLO5_NET_HLEN to mtu +
 * SOLO5_NET_HLEN), without blocking; a frame the host cannot take now is dropped, and the
 * call still succeeds. Returns SOLO5_R_EINVAL for another size or for a handle that
 * solo5_net_acquire did not return.
 */
solo5_result_t solo5_net_write(solo5_handle_t handle, const uint8_t *buf, size_t size);

/*
 * Receives one Ethernet frame into (buf) of (size) bytes, at least mtu + SOLO5_NET_HLEN,
 * without blocking, storing its length in (*read_size); SOLO5_R_AGAIN when none is
 * waiting. Returns SOLO5_R_EINVAL for a smaller buffer or for a handle that
 * solo5_net_acquire did not return.
 */
solo5_result_t solo5_net_read(solo5_handle_t handle, uint8_t *buf, size_t size, size_t *read_size);

/* Block device offsets, in bytes. */
typedef uint64_t solo5_off_t;

struct solo5_block_info {
    solo5_off_t capacity;   /* bytes */
    solo5_off_t block_size; /* smallest unit of I/O, bytes */
};

/*
 * Acquires the block device called (name), storing its handle in (*handle) and its
 * properties in (*info). Returns SOLO5_R_EINVAL for an unknown name (as Solo5's hvt
 * bindings do) and when the device was already acquired (each device may be acquired
 * once).
 */
solo5_result_t solo5_block_acquire(const char *name, solo5_handle_t *handle,
                                   struct solo5_block_info *info);

/*
 * Writes (size) bytes from (buf) to the device at byte (offset), all or nothing.
 * (offset) and (size) must be multiples of the block size, (size) must not be 0 and the
 * range must lie inside the device; otherwise, or for an unknown handle, returns
 * SOLO5_R_EINVAL. A host I/O error gives SOLO5_R_EUNSPEC.
 */
solo5_result_t solo5_block_write(solo5_handle_t handle, solo5_off_t offset, const uint8_t *buf,
                                 size_t size);

/* Reads (size) bytes at byte (offset) into (buf); same rules as solo5_block_write. */
solo5_result_t solo5_block_read(solo5_handle_t handle, solo5_off_t offset, uint8_t *buf,
                                size_t size);

#endif /* SOLO5_H_INCLUDED */
