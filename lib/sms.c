/*
 * sms.c - SMS text folding, GSM-7 accounting and the delivery adapters (sms.h).
 */
#include <curl/curl.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rdv.h"
#include "sms.h"

/* UTF-8 code point at s (advances *len); malformed bytes are returned as is. */
static unsigned sms_decode(const unsigned char *s, size_t *len)
{
	if (s[0] < 0x80) { *len = 1; return s[0]; }
	if ((s[0] & 0xE0) == 0xC0 && (s[1] & 0xC0) == 0x80) {
		*len = 2;
		return ((s[0] & 0x1Fu) << 6) | (s[1] & 0x3Fu);
	}
	if ((s[0] & 0xF0) == 0xE0 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80) {
		*len = 3;
		return ((s[0] & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
	}
	if ((s[0] & 0xF8) == 0xF0 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80 && (s[3] & 0xC0) == 0x80) {
		*len = 4;
		return 0x10000;   /* emoji and the like: no folding */
	}
	*len = 1;
	return 0xFFFD;
}

struct sms_fold_entry {
	unsigned cp;
	const char *ascii;
};

/* Latin-1 and the French typographic characters found in names and addresses. */
static const struct sms_fold_entry sms_folds[] = {
	{0xA0, " "}, {0xAB, "\""}, {0xBB, "\""}, {0xB0, "o"}, {0xE9, "e"}, {0xE8, "e"}, {0xEA, "e"},
	{0xEB, "e"}, {0xC9, "E"}, {0xC8, "E"}, {0xCA, "E"}, {0xCB, "E"}, {0xE0, "a"}, {0xE2, "a"},
	{0xE4, "a"}, {0xE1, "a"}, {0xC0, "A"}, {0xC2, "A"}, {0xC4, "A"}, {0xC1, "A"}, {0xE7, "c"},
	{0xC7, "C"}, {0xEE, "i"}, {0xEF, "i"}, {0xED, "i"}, {0xCE, "I"}, {0xCF, "I"}, {0xF4, "o"},
	{0xF6, "o"}, {0xF3, "o"}, {0xD4, "O"}, {0xD6, "O"}, {0xF9, "u"}, {0xFB, "u"}, {0xFC, "u"},
	{0xFA, "u"}, {0xD9, "U"}, {0xDB, "U"}, {0xDC, "U"}, {0xFF, "y"}, {0x178, "Y"}, {0xF1, "n"},
	{0xD1, "N"}, {0x153, "oe"}, {0x152, "OE"}, {0xE6, "ae"}, {0xC6, "AE"}, {0x2019, "'"},
	{0x2018, "'"}, {0x201C, "\""}, {0x201D, "\""}, {0x2013, "-"}, {0x2014, "-"}, {0x2026, "..."},
	{0x202F, " "}, {0x2009, " "}, {0x20AC, "EUR"},
};

static const char *sms_fold_cp(unsigned cp)
{
	for (size_t i = 0; i < sizeof(sms_folds) / sizeof(sms_folds[0]); i++)
		if (sms_folds[i].cp == cp)
			return sms_folds[i].ascii;
	return "?";
}

int sms_fold(const char *in, struct buf *out)
{
	buf_reset(out);
	buf_puts(out, "");
	int space = 0;
	const unsigned char *s = (const unsigned char *)(in ? in : "");
	while (*s) {
		size_t len;
		unsigned cp = sms_decode(s, &len);
		s += len;
		const char *rep = NULL;
		char one[2] = {0, 0};
		if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0xA0 || cp == 0x202F || cp == 0x2009) {
			space = 1;
			continue;
		}
		if (cp < 0x80) {
			one[0] = (char)cp;
			rep = one;
		} else {
			rep = sms_fold_cp(cp);
		}
		if (space && out->len > 0)
			buf_putc(out, ' ');
		space = 0;
		buf_puts(out, rep);
	}
	return out->oom ? RDV_ENOMEM : 0;
}

/* ASCII bytes that GSM 03.38 lacks in its basic table: ` is absent; ^{}\[~]| are in the extension. */
static int sms_gsm7_ext(char c)
{
	return c != '\0' && strchr("^{}\\[~]|", c) != NULL;
}

int sms_is_gsm7(const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 0x80 || c == '`')
			return 0;
		if (c < 0x20 && c != '\n' && c != '\r')
			return 0;
	}
	return 1;
}

size_t sms_gsm7_length(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += sms_gsm7_ext(*s) ? 2 : 1;
	return n;
}

int sms_segments(const char *s)
{
	if (sms_is_gsm7(s)) {
		size_t n = sms_gsm7_length(s);
		return n <= 160 ? 1 : (int)((n + 152) / 153);
	}
	size_t chars = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p & 0xC0) != 0x80)
			chars++;
	return chars <= 70 ? 1 : (int)((chars + 66) / 67);
}

int sms_build(const struct tmpl_set *set, const char *name, struct tmpl_vars *vars, struct buf *out)
{
	char tname[128];
	snprintf(tname, sizeof(tname), "sms/%s.tmpl", name);
	if (!tmpl_has(set, tname))
		return RDV_ENOTFOUND;
	struct buf raw = BUF_INIT;
	int segments = 0;
	for (int detail = 3; detail >= 0; detail--) {
		buf_reset(&raw);
		tmpl_set_int(vars, "detail", detail);
		tmpl_set_bool(vars, "detail_3", detail >= 3);
		tmpl_set_bool(vars, "detail_2", detail >= 2);
		tmpl_set_bool(vars, "detail_1", detail >= 1);
		int rc = tmpl_render(set, tname, vars, &raw);
		if (rc == 0)
			rc = sms_fold(raw.data ? raw.data : "", out);
		if (rc < 0) {
			buf_free(&raw);
			return rc;
		}
		segments = sms_segments(out->data);
		if (segments == 1)
			break;
	}
	buf_free(&raw);
	return segments;
}

static void sms_set_err(char *err, size_t errlen, const char *msg)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s", msg);
}

/* The development sink: one line per message in $RDV_STATE/log/sms.log. */
static int sms_send_log(const char *to, const char *sender, const char *text, char *err, size_t errlen)
{
	const char *state = getenv("RDV_STATE");
	char path[1024];
	snprintf(path, sizeof(path), "%s/log/sms.log", state && state[0] ? state : "var");
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0) {
		sms_set_err(err, errlen, "sms.log: ouverture impossible");
		return RDV_ESYSTEM;
	}
	struct buf line = BUF_INIT;
	buf_printf(&line, "%lld to=%s from=%s segments=%d %s\n", (long long)time(NULL), to, sender,
		   sms_segments(text), text);
	ssize_t w = line.oom ? -1 : write(fd, line.data, line.len);
	close(fd);
	int ok = w == (ssize_t)line.len;
	buf_free(&line);
	if (!ok) {
		sms_set_err(err, errlen, "sms.log: écriture impossible");
		return RDV_ESYSTEM;
	}
	return 0;
}

static size_t sms_discard(char *p, size_t size, size_t n, void *ud)
{
	(void)p; (void)ud;
	return size * n;
}

static int sms_send_http(const char *to, const char *sender, const char *text, const char *reference,
			 char *err, size_t errlen, int *permanent)
{
	const char *url = getenv("RDV_SMS_URL");
	const char *key = getenv("RDV_SMS_KEY");
	if (url == NULL || url[0] == '\0') {
		sms_set_err(err, errlen, "RDV_SMS_URL non configurée");
		*permanent = 1;
		return RDV_EINVAL;
	}
	json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "to", to, "from", sender, "text", text,
			      "reference", reference ? reference : "");
	char *body = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (body == NULL)
		return RDV_ENOMEM;
	CURL *c = curl_easy_init();
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	char auth[512];
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key ? key : "");
	h = curl_slist_append(h, auth);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sms_discard);
	CURLcode cc = curl_easy_perform(c);
	long status = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	free(body);
	if (cc != CURLE_OK) {
		sms_set_err(err, errlen, curl_easy_strerror(cc));
		return RDV_EUNAVAIL;
	}
	if (status < 200 || status > 299) {
		if (err != NULL)
			snprintf(err, errlen, "fournisseur SMS : HTTP %ld", status);
		*permanent = status >= 400 && status < 500 && status != 408 && status != 429;
		return RDV_EUNAVAIL;
	}
	return 0;
}

int sms_send(const char *to, const char *sender, const char *text, const char *reference,
	     char *err, size_t errlen, int *permanent)
{
	*permanent = 0;
	const char *adapter = getenv("RDV_SMS_ADAPTER");
	if (adapter == NULL || adapter[0] == '\0' || strcmp(adapter, "log") == 0)
		return sms_send_log(to, sender, text, err, errlen);
	if (strcmp(adapter, "http") == 0)
		return sms_send_http(to, sender, text, reference, err, errlen, permanent);
	sms_set_err(err, errlen, "RDV_SMS_ADAPTER inconnu");
	*permanent = 1;
	return RDV_EINVAL;
}
