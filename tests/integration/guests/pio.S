.include "common.inc"
	PARK_SECONDARY
	mov $20000, %ecx
	mov $0x5100, %dx
1:	out %al, %dx
	dec %ecx
	jnz 1b
	PUTS "pio done\n"
	EXIT 0
