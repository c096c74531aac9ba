.include "common.inc"
.include "user3.inc"
	PARK_SECONDARY
	ENTER_RING3 user
user:	jmp user
