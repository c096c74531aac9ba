.include "common.inc"
	mov $0x5100, %dx
1:	out %al, %dx
	jmp 1b
