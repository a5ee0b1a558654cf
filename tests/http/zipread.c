/* zipread.c - minimal ZIP member extraction for the tests (zipread.h). */
#include "zipread.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static uint32_t le32(const unsigned char *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint16_t le16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }

static char *inflate_raw(const unsigned char *src, size_t n, size_t want, size_t *out_len)
{
	char *out = malloc(want + 1);
	if (out == NULL)
		return NULL;
	z_stream zs;
	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, -15) != Z_OK) {
		free(out);
		return NULL;
	}
	zs.next_in = (unsigned char *)src;
	zs.avail_in = (uInt)n;
	zs.next_out = (unsigned char *)out;
	zs.avail_out = (uInt)want;
	int rc = inflate(&zs, Z_FINISH);
	inflateEnd(&zs);
	if (rc != Z_STREAM_END) {
		free(out);
		return NULL;
	}
	out[zs.total_out] = '\0';
	*out_len = zs.total_out;
	return out;
}

char *zip_extract(const unsigned char *zip, size_t len, const char *name, size_t *out_len)
{
	if (len < 22)
		return NULL;
	size_t eocd = len - 22;
	while (eocd > 0 && le32(zip + eocd) != 0x06054b50)
		eocd--;
	if (le32(zip + eocd) != 0x06054b50)
		return NULL;
	size_t entries = le16(zip + eocd + 10);
	size_t p = le32(zip + eocd + 16);
	for (size_t i = 0; i < entries && p + 46 <= len; i++) {
		if (le32(zip + p) != 0x02014b50)
			return NULL;
		uint16_t method = le16(zip + p + 10);
		size_t csize = le32(zip + p + 20), usize = le32(zip + p + 24);
		size_t nlen = le16(zip + p + 28), xlen = le16(zip + p + 30), clen = le16(zip + p + 32);
		size_t local = le32(zip + p + 42);
		if (nlen == strlen(name) && memcmp(zip + p + 46, name, nlen) == 0) {
			if (local + 30 > len)
				return NULL;
			size_t data = local + 30 + le16(zip + local + 26) + le16(zip + local + 28);
			if (data + csize > len)
				return NULL;
			if (method == 0) {
				char *out = malloc(csize + 1);
				if (out == NULL)
					return NULL;
				memcpy(out, zip + data, csize);
				out[csize] = '\0';
				*out_len = csize;
				return out;
			}
			return method == 8 ? inflate_raw(zip + data, csize, usize, out_len) : NULL;
		}
		p += 46 + nlen + xlen + clen;
	}
	return NULL;
}
