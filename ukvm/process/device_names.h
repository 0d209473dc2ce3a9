/*
 * device_names.h: what a device may be called, and how many there may be, as a Solo5
 * manifest allows: block and network devices share both limits.
 */
#ifndef UKVM_DEVICE_NAMES_H
#define UKVM_DEVICE_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#define DEVICE_NAME_MAX 67 /* Solo5's manifest names: 67 characters */
#define DEVICES_MAX     63 /* Solo5's manifest holds at most 63 devices */

/* True for 1 to DEVICE_NAME_MAX letters, digits or '_' at [name, name+len). */
bool device_name_valid(const char *name, size_t len);

#endif /* UKVM_DEVICE_NAMES_H */
