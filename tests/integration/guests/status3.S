.include "common.inc"
	PARK_SECONDARY
	EXIT 3
