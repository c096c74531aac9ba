.include "common.inc"
	test %rsi, %rsi
	jnz 1f
	PUTS "halting\n"
1:	hlt
	jmp 1b
