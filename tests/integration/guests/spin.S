.include "common.inc"
1:	jmp 1b
