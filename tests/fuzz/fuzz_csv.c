/*
 * fuzz_csv.c - libFuzzer target: the secteur zones CSV import
 * (sector_zones_csv_parse), the file a territory admin uploads. Whatever
 * the bytes, every row it accepts must be valid on its own (secteur id,
 * commune code of the département, street id of that commune) and every
 * reported error must name a line of the file.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "sector.h"

static size_t count_lines(const uint8_t *data, size_t size)
{
	size_t n = 1;
	for (size_t i = 0; i < size; i++)
		n += data[i] == '\n' || data[i] == '\r';
	return n;
}

static void check(const struct sector_csv_result *r, const char *dep, size_t max_line)
{
	for (size_t i = 0; i < r->n_rows; i++) {
		const struct sector_zone_row *z = &r->rows[i];
		if (z->line < 1 || (size_t)z->line > max_line || !sector_valid_human_id(z->sector_human_id) ||
		    !sector_valid_city_code(z->city_code) || (dep[0] && strncmp(z->city_code, dep, strlen(dep)) != 0))
			abort();
		if ((z->street_ban_id == NULL) != (z->street_name == NULL))
			abort();
		if (z->street_ban_id != NULL && !sector_valid_street_id(z->street_ban_id, z->city_code))
			abort();
	}
	for (size_t i = 0; i < r->n_errors; i++)
		if (r->errors[i].message == NULL || r->errors[i].line < 0 || (size_t)r->errors[i].line > max_line)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const deps[] = {"62", ""};
	size_t max_line = count_lines(data, size);
	for (size_t k = 0; k < 2; k++) {
		struct arena *a = arena_new(4096);
		if (a == NULL)
			return 0;
		struct sector_csv_result r = {0};
		if (sector_zones_csv_parse(a, (const char *)data, size, deps[k], &r) == 0)
			check(&r, deps[k], max_line);
		arena_free(a);
	}
	return 0;
}
