// SPDX-License-Identifier: GPL-2.0-only
/*
 * i8042 keyboard controller, reduced to what guests use to reboot: writing 0xfe to the
 * command port pulses the reset line, which ends the VM with PV_END_RESET (pv-vmm does
 * not reboot guests; the supervisor decides). The status register reads "both buffers
 * empty", the data port reads 0. One device covers 0x60..0x64 (0x61-0x63 read 0).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/devices.h"
#include "vmm/pv_abi.h"
#include "vmm/vm.h"

#define I8042_DATA_PORT		0x60
#define I8042_CMD_RESET		0xfe
#define I8042_CMD_OFF		(PV_PORT_I8042_CMD - I8042_DATA_PORT)

static int i8042_read(struct dev *d, void *caller, uint64_t off, void *data, uint32_t len)
{
	(void)d;
	(void)caller;
	(void)off;
	memset(data, 0, len);	/* data 0; status: output and input buffers empty */
	return 0;
}

static int i8042_write(struct dev *d, void *caller, uint64_t off, const void *data, uint32_t len)
{
	struct vm *vm = d->priv;

	(void)caller;
	(void)len;
	if (off == I8042_CMD_OFF && *(const uint8_t *)data == I8042_CMD_RESET && vm)
		vm_end(vm, PV_END_RESET, 0);
	return 0;
}

static void i8042_destroy(struct dev *d)
{
	free(d);
}

static const struct dev_ops i8042_ops = {
	.read = i8042_read,
	.write = i8042_write,
	.destroy = i8042_destroy,
};

int dev_i8042_create(struct vm *vm, struct dev **out)
{
	struct dev *d = calloc(1, sizeof(*d));
	int err;

	if (!d)
		return -ENOMEM;
	*d = (struct dev){ .name = "i8042", .ops = &i8042_ops, .priv = vm };
	err = vm_add_dev(vm, d, I8042_DATA_PORT, I8042_CMD_OFF + 1);
	if (err) {
		free(d);
		return err;
	}
	*out = d;
	return 0;
}
