/*
 * fuzz_tmpl.c - libFuzzer target: compile any text as a template (no
 * includes) and render it with a few variables and a loop. Compilation
 * errors are fine; crashes, leaks and hangs are not.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "tmpl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	char err[256];
	struct tmpl_set *set = tmpl_compile_string("fuzz.tmpl", text, NULL, err, sizeof(err));
	free(text);
	if (set == NULL)
		return 0;
	struct arena *a = arena_new(4096);
	struct tmpl_vars *v = tmpl_vars_new(a);
	tmpl_set_var(v, "name", "<b>&\"'");
	tmpl_set_var(v, "x", "1");
	struct tmpl_loop *l = tmpl_add_loop(v, "rows");
	for (int i = 0; i < 3; i++)
		tmpl_set_int(tmpl_loop_add_row(l), "i", i);
	struct buf out = BUF_INIT;
	tmpl_render(set, "fuzz.tmpl", v, &out);
	buf_free(&out);
	arena_free(a);
	tmpl_set_free(set);
	return 0;
}
