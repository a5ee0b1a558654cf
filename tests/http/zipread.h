/*
 * zipread.h - just enough of a ZIP reader for the tests to open an XLSX file
 * and check its cells: finds a member through the central directory and
 * inflates it with zlib. The result is malloc'd (caller frees), NUL-terminated.
 */
#ifndef RDV_TEST_ZIPREAD_H
#define RDV_TEST_ZIPREAD_H

#include <stddef.h>

char *zip_extract(const unsigned char *zip, size_t len, const char *name, size_t *out_len);

#endif
