/*
 * address_text.h - what the address autocomplete makes of a typed text
 * (cgi-bin/search/addresses.c): pure functions, no database.
 *
 * address_norm() folds the text as rdv_search_text (migration 0018) does:
 * words are runs of letters and digits (hyphens, apostrophes and other
 * punctuation separate them), folded by valid_normalize_name (accents,
 * case), joined by one space.
 * "Rue  Victor-Hugo" and "rue victor hugo" give the same text. The search
 * depends on that text only (address_words of it, and the text itself for
 * the ranking), so it keys the cache of answers.
 */
#ifndef RDV_ADDRESS_TEXT_H
#define RDV_ADDRESS_TEXT_H

#include <stddef.h>

#include "arena.h"

#define ADDRESS_MAX_WORDS 3

struct address_words {
	const char *w[ADDRESS_MAX_WORDS];   /* the longest first */
	size_t n;
	const char *num;                    /* a leading house number, or "" */
};

/* The normalized text, in a; NULL when out of memory. */
const char *address_norm(struct arena *a, const char *q);
/* The words of a normalized text: the longest ADDRESS_MAX_WORDS of 3+
 * characters and a leading house number (up to 4 digits). 1 when there is
 * a word to search, 0 otherwise. */
int address_words(struct arena *a, const char *norm, struct address_words *out);

#endif
