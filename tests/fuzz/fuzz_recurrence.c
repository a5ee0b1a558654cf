/*
 * fuzz_recurrence.c - libFuzzer target: parse any text as a recurrence JSON
 * and, when accepted, serialise it back, make an RRULE and expand a series
 * into a window; the round trip must parse to the same rule.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "recurrence.h"
#include "tz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	struct recurrence r;
	const char *msg;
	if (recurrence_parse(text, &r, &msg) == 0) {
		recurrence_resolve(&r, 2026, 1, 5);
		struct buf json = BUF_INIT, rrule = BUF_INIT;
		recurrence_to_json(&r, &json);
		recurrence_to_rrule(&r, &rrule);
		struct recurrence back;
		if (json.data != NULL && recurrence_parse(json.data, &back, &msg) != 0)
			abort();   /* what we write, we read */
		struct series s = {.first_y = 2026, .first_m = 1, .first_d = 5, .start_min = 540, .end_min = 720, .rule = r};
		struct occurrence occ[64];
		long long from = tz_local_midnight(2026, 3, 1), to = tz_local_midnight(2026, 5, 1);
		recurrence_expand(&s, from, to, 1, occ, 64);
		recurrence_next_start(&s, from, 1);
		buf_free(&json);
		buf_free(&rrule);
	}
	free(text);
	return 0;
}
