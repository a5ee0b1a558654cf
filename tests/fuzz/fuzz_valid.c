/*
 * fuzz_valid.c - libFuzzer target: the input validators (phone numbers,
 * dates, times, e-mails, ISO date-times, integers, name normalisation).
 * Accepted phone numbers must survive formatting and parsing again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "phone.h"
#include "valid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	const char *msg;
	char e164[PHONE_E164_SIZE], nat[PHONE_NATIONAL_SIZE], again[PHONE_E164_SIZE];
	if (phone_normalize(s, e164, &msg) == 0) {
		phone_format_national(e164, nat);
		if (phone_normalize(e164, again, &msg) != 0 || strcmp(e164, again) != 0)
			abort();
	}
	int y, m, d, h, mi;
	long long v;
	valid_date(s, &y, &m, &d, &msg);
	valid_time(s, &h, &mi, &msg);
	valid_email(s, &msg);
	valid_iso_datetime(s, &v, &msg);
	valid_int(s, -1000, 1000, &v, &msg);
	valid_password(s, &msg);
	struct arena *a = arena_new(1024);
	valid_normalize_name(a, s);
	arena_free(a);
	free(s);
	return 0;
}
