.include "common.inc"
.include "user3.inc"
/* ring 3: N (at offset 2 of user: mov $N, %ecx) outs to PV_PORT_UNASSIGNED, then power off
 * with status = TSC cycles per iteration */
	PARK_SECONDARY
	ENTER_RING3 user
user:	mov $200000, %ecx
	mov %ecx, %r10d
	rdtsc
	shl $32, %rdx
	or %rdx, %rax
	mov %rax, %r8
	mov $0x5100, %dx
1:	out %al, %dx
	dec %ecx
	jnz 1b
	rdtsc
	shl $32, %rdx
	or %rdx, %rax
	sub %r8, %rax
	xor %edx, %edx
	div %r10
	mov $0x5004, %dx
	out %eax, %dx
2:	jmp 2b
