.include "common.inc"
	PARK_SECONDARY
	mov $0xd0000000, %ebx
	mov $500, %ecx
1:	mov %eax, (%rbx)
	mov (%rbx), %eax
	dec %ecx
	jnz 1b
	cmp $0xffffffff, %eax
	jne 2f
	PUTS "mmio ones\n"
2:	EXIT 0
