.include "common.inc"
	PARK_SECONDARY
	PUTS "hello from guest\n"
	EXIT 0
