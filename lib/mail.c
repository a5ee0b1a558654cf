/*
 * mail.c - MIME building and SMTP / file delivery (mail.h).
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mail.h"
#include "rdv.h"

const char *mail_default_from(void)
{
	const char *f = getenv("RDV_MAIL_FROM");
	return f && f[0] ? f : "RDV Solidarités <ne-pas-repondre@rdv-solidarites.fr>";
}

static int mail_is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80 || *s == '\r' || *s == '\n')
			return 0;
	return 1;
}

static void mail_put_b64(struct buf *out, const unsigned char *p, size_t n)
{
	char tmp[128];
	sodium_bin2base64(tmp, sizeof(tmp), p, n, sodium_base64_VARIANT_ORIGINAL);
	buf_puts(out, tmp);
}

/* Encoded-words of at most 45 input bytes (60 base64 chars + 12 of framing
 * < 75), cut at UTF-8 character boundaries. */
int mail_put_header_text(struct buf *out, const char *s)
{
	if (mail_is_ascii(s))
		return buf_puts(out, s);
	size_t n = strlen(s), i = 0;
	while (i < n) {
		size_t take = n - i < 45 ? n - i : 45;
		while (take > 0 && i + take < n && ((unsigned char)s[i + take] & 0xC0) == 0x80)
			take--;
		if (i > 0)
			buf_puts(out, "\r\n ");
		buf_puts(out, "=?UTF-8?B?");
		mail_put_b64(out, (const unsigned char *)s + i, take);
		buf_puts(out, "?=");
		i += take;
	}
	return out->oom ? RDV_ENOMEM : 0;
}

int mail_put_qp(struct buf *out, const char *s)
{
	int col = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\r')
			continue;
		if (*p == '\n') {
			buf_puts(out, "\r\n");
			col = 0;
			continue;
		}
		int at_eol = p[1] == '\n' || p[1] == '\r' || p[1] == '\0';
		int literal = (*p >= 33 && *p <= 126 && *p != '=') || ((*p == ' ' || *p == '\t') && !at_eol);
		/* a leading dot is encoded too: some relays mangle it despite dot-stuffing */
		if (col == 0 && *p == '.')
			literal = 0;
		int w = literal ? 1 : 3;
		if (col + w > 75) {
			buf_puts(out, "=\r\n");
			col = 0;
		}
		if (literal)
			buf_putc(out, (char)*p);
		else
			buf_printf(out, "=%02X", *p);
		col += w;
	}
	buf_puts(out, "\r\n");
	return out->oom ? RDV_ENOMEM : 0;
}

void mail_address_of(const char *from, char *out, size_t n)
{
	const char *lt = strrchr(from, '<');
	const char *gt = lt ? strchr(lt, '>') : NULL;
	if (lt && gt && gt > lt)
		snprintf(out, n, "%.*s", (int)(gt - lt - 1), lt + 1);
	else
		snprintf(out, n, "%s", from);
}

/* "Name <addr>" with the name encoded if needed. */
static void mail_put_mailbox(struct buf *out, const char *name_addr)
{
	const char *lt = strrchr(name_addr, '<');
	if (lt == NULL || lt == name_addr) {
		buf_puts(out, name_addr);
		return;
	}
	size_t nl = (size_t)(lt - name_addr);
	while (nl > 0 && name_addr[nl - 1] == ' ')
		nl--;
	char name[256];
	snprintf(name, sizeof(name), "%.*s", (int)nl, name_addr);
	if (mail_is_ascii(name) && strpbrk(name, "\",;:<>@()[]\\.") == NULL)
		buf_puts(out, name);
	else if (mail_is_ascii(name) && strchr(name, '"') == NULL)
		buf_printf(out, "\"%s\"", name);
	else
		mail_put_header_text(out, name);
	buf_putc(out, ' ');
	buf_puts(out, lt);
}

static void mail_put_date(struct buf *out, long long when)
{
	time_t t = (time_t)when;
	struct tm tm;
	gmtime_r(&t, &tm);
	static const char *const wd[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const mo[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
					 "Oct", "Nov", "Dec"};
	buf_printf(out, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", wd[tm.tm_wday], tm.tm_mday,
		   mo[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void mail_boundary(char out[40], const char *tag)
{
	unsigned char r[9];
	randombytes_buf(r, sizeof(r));
	char hex[19];
	sodium_bin2hex(hex, sizeof(hex), r, sizeof(r));
	snprintf(out, 40, "=_%s_%s", tag, hex);
}

static void mail_put_headers(struct buf *out, const struct mail_msg *m)
{
	char domain[200];
	mail_address_of(m->from ? m->from : mail_default_from(), domain, sizeof(domain));
	const char *at = strchr(domain, '@');
	buf_puts(out, "From: ");
	mail_put_mailbox(out, m->from ? m->from : mail_default_from());
	buf_puts(out, "\r\nTo: ");
	if (m->to_name != NULL && m->to_name[0] != '\0') {
		char both[512];
		snprintf(both, sizeof(both), "%s <%s>", m->to_name, m->to);
		mail_put_mailbox(out, both);
	} else {
		buf_puts(out, m->to);
	}
	buf_puts(out, "\r\nSubject: ");
	mail_put_header_text(out, m->subject ? m->subject : "");
	buf_puts(out, "\r\n");
	mail_put_date(out, m->date ? m->date : (long long)time(NULL));
	if (m->message_id != NULL) {
		buf_printf(out, "Message-ID: %s\r\n", m->message_id);
	} else {
		char id[40];
		mail_boundary(id, "m");
		buf_printf(out, "Message-ID: <%s@%s>\r\n", id + 2, at ? at + 1 : "rdv-solidarites.fr");
	}
	buf_puts(out, "MIME-Version: 1.0\r\nAuto-Submitted: auto-generated\r\n");
}

static void mail_put_text_part(struct buf *out, const char *boundary, const char *type, const char *body)
{
	buf_printf(out, "--%s\r\nContent-Type: %s; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n",
		   boundary, type);
	mail_put_qp(out, body);
}

static void mail_put_b64_body(struct buf *out, const char *s)
{
	size_t n = strlen(s);
	for (size_t i = 0; i < n; i += 57) {
		mail_put_b64(out, (const unsigned char *)s + i, n - i < 57 ? n - i : 57);
		buf_puts(out, "\r\n");
	}
}

int mail_build(struct buf *out, const struct mail_msg *m)
{
	if (m->to == NULL || strpbrk(m->to, "\r\n<>,") != NULL || strchr(m->to, '@') == NULL)
		return RDV_EINVAL;
	mail_put_headers(out, m);
	char mixed[40], alt[40];
	mail_boundary(mixed, "mix");
	mail_boundary(alt, "alt");
	const char *method = m->ics_method ? m->ics_method : "REQUEST";
	if (m->ics != NULL)
		buf_printf(out, "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n--%s\r\n", mixed, mixed);
	buf_printf(out, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n", alt);
	mail_put_text_part(out, alt, "text/plain", m->text ? m->text : "");
	if (m->html != NULL)
		mail_put_text_part(out, alt, "text/html", m->html);
	if (m->ics != NULL) {
		buf_printf(out, "--%s\r\nContent-Type: text/calendar; charset=UTF-8; method=%s\r\n"
			   "Content-Transfer-Encoding: base64\r\n\r\n", alt, method);
		mail_put_b64_body(out, m->ics);
	}
	buf_printf(out, "--%s--\r\n", alt);
	if (m->ics != NULL) {
		buf_printf(out, "--%s\r\nContent-Type: application/ics; name=\"invite.ics\"\r\n"
			   "Content-Disposition: attachment; filename=\"invite.ics\"\r\n"
			   "Content-Transfer-Encoding: base64\r\n\r\n", mixed);
		mail_put_b64_body(out, m->ics);
		buf_printf(out, "--%s--\r\n", mixed);
	}
	return out->oom ? RDV_ENOMEM : 0;
}

static void mail_set_err(char *err, size_t errlen, const char *msg)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s", msg);
}

/* The demo sink: one .eml per message, written to a temporary name then
 * renamed, so a reader never sees half a message. */
static int mail_send_file(const struct buf *msg, char *err, size_t errlen)
{
	const char *state = getenv("RDV_STATE");
	char dir[900], tmp[1024], path[1024];
	snprintf(dir, sizeof(dir), "%s/mail", state && state[0] ? state : "var");
	if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
		mail_set_err(err, errlen, "dossier mail/ : création impossible");
		return RDV_ESYSTEM;
	}
	unsigned char r[6];
	randombytes_buf(r, sizeof(r));
	char hex[13];
	sodium_bin2hex(hex, sizeof(hex), r, sizeof(r));
	snprintf(tmp, sizeof(tmp), "%s/.%lld-%s.tmp", dir, (long long)time(NULL), hex);
	snprintf(path, sizeof(path), "%s/%lld-%s.eml", dir, (long long)time(NULL), hex);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (fd < 0) {
		mail_set_err(err, errlen, "dossier mail/ : écriture impossible");
		return RDV_ESYSTEM;
	}
	ssize_t w = write(fd, msg->data, msg->len);
	int ok = w == (ssize_t)msg->len && fsync(fd) == 0;
	close(fd);
	if (!ok || rename(tmp, path) != 0) {
		unlink(tmp);
		mail_set_err(err, errlen, "dossier mail/ : écriture impossible");
		return RDV_ESYSTEM;
	}
	return 0;
}

struct mail_reader {
	const char *data;
	size_t len, pos;
};

static size_t mail_read(char *dst, size_t size, size_t n, void *ud)
{
	struct mail_reader *r = ud;
	size_t want = size * n, left = r->len - r->pos;
	if (want > left)
		want = left;
	memcpy(dst, r->data + r->pos, want);
	r->pos += want;
	return want;
}

static long mail_tls_mode(const char *user)
{
	const char *tls = getenv("RDV_SMTP_TLS");
	if (tls != NULL && strcmp(tls, "none") == 0)
		return CURLUSESSL_NONE;
	if (tls != NULL && strcmp(tls, "try") == 0)
		return CURLUSESSL_TRY;
	if (tls != NULL && strcmp(tls, "required") == 0)
		return CURLUSESSL_ALL;
	/* never send credentials in clear: with a user, STARTTLS is mandatory */
	return user != NULL && user[0] != '\0' ? CURLUSESSL_ALL : CURLUSESSL_TRY;
}

static int mail_send_smtp(const char *url, const char *from_addr, const char *to, const struct buf *msg,
			  char *err, size_t errlen, int *permanent)
{
	const char *user = getenv("RDV_SMTP_USER");
	const char *password = getenv("RDV_SMTP_PASSWORD");
	CURL *c = curl_easy_init();
	if (c == NULL)
		return RDV_ENOMEM;
	char from_b[320], to_b[320];
	snprintf(from_b, sizeof(from_b), "<%s>", from_addr);
	snprintf(to_b, sizeof(to_b), "<%s>", to);
	struct curl_slist *rcpt = curl_slist_append(NULL, to_b);
	struct mail_reader rd = {msg->data, msg->len, 0};
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from_b);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, mail_read);
	curl_easy_setopt(c, CURLOPT_READDATA, &rd);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_USE_SSL, mail_tls_mode(user));
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (user != NULL && user[0] != '\0') {
		curl_easy_setopt(c, CURLOPT_USERNAME, user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, password ? password : "");
	}
	CURLcode cc = curl_easy_perform(c);
	long code = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(c);
	if (cc == CURLE_OK)
		return 0;
	if (err != NULL)
		snprintf(err, errlen, "SMTP %ld : %s", code, curl_easy_strerror(cc));
	*permanent = code >= 500 && code < 600;
	return RDV_EUNAVAIL;
}

int mail_send(const char *from_addr, const char *to, const struct buf *msg, char *err, size_t errlen,
	      int *permanent)
{
	*permanent = 0;
	if (msg->data == NULL || msg->len == 0)
		return RDV_EINVAL;
	const char *url = getenv("RDV_SMTP_URL");
	if (url == NULL || url[0] == '\0')
		return mail_send_file(msg, err, errlen);
	return mail_send_smtp(url, from_addr, to, msg, err, errlen, permanent);
}
