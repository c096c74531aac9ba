.include "common.inc"
	PARK_SECONDARY
	mov $150000, %ecx		/* ~0.4 s (emulated ring 0): time for the test to say hello */
0:	dec %ecx
	jnz 0b
	mov 32(%rdi), %r8		/* this vCPU's page (vcpu 0) */
	/* record 0: TASK_SWITCH next=5 prev=0 classes BE->RT */
	rdtsc
	shl $32, %rdx
	or %rdx, %rax
	lea RING_OFF(%r8), %r9
	mov %rax, 0(%r9)
	movl $1, 8(%r9)
	movl $5, 12(%r9)
	movq $0, 16(%r9)
	movq $0x201, 24(%r9)
	/* record 1: RT_ACTIVATE task 5 lateness 1234 ns period 1 ms */
	rdtsc
	shl $32, %rdx
	or %rdx, %rax
	mov %rax, 32(%r9)
	movl $2, 40(%r9)
	movl $5, 44(%r9)
	movq $1234, 48(%r9)
	movq $1000000, 56(%r9)
	/* record 2: bad type */
	mov %rax, 64(%r9)
	movl $77, 72(%r9)
	/* record 3: task id >= 2^16 */
	mov %rax, 96(%r9)
	movl $1, 104(%r9)
	movl $70000, 108(%r9)
	movl $4, 16(%r8)		/* head = 4 */
	mov $0x5000, %dx
	xor %eax, %eax
	out %eax, %dx			/* doorbell: drain */
	movl $1000004, 16(%r8)		/* impossible head */
	out %eax, %dx
	movl $3, 28(%r8)		/* flags: RT runnable | done */
	mov $3, %eax
	out %eax, %dx			/* doorbell summary */
	EXIT 0
