.include "common.inc"
	ud2
