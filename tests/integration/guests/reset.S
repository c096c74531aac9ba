.include "common.inc"
	PARK_SECONDARY
	mov $0xfe, %al
	out %al, $0x64
1:	hlt
	jmp 1b
