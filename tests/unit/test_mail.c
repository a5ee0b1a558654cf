/*
 * test_mail.c - MIME messages: headers, RFC 2047 subject, quoted-printable
 * bodies, the calendar parts, CRLF only; and the file transport.
 */
#include <CUnit/CUnit.h>
#include <dirent.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mail.h"

static void test_mail_encoded_subject(void)
{
	struct buf b = BUF_INIT;
	mail_put_header_text(&b, "Plain subject");
	CU_ASSERT_STRING_EQUAL(b.data, "Plain subject");
	buf_reset(&b);
	mail_put_header_text(&b, "Votre rendez-vous du lundi 7 décembre 2026 à 14 h 30 est confirmé");
	CU_ASSERT(strncmp(b.data, "=?UTF-8?B?", 10) == 0);
	/* each encoded-word ≤ 75 chars, continuation lines start with a space */
	for (const char *p = b.data; p != NULL;) {
		const char *e = strstr(p, "\r\n");
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (*p == ' ') { p++; len--; }
		CU_ASSERT(len <= 75);
		p = e ? e + 2 : NULL;
	}
	/* decode back */
	char joined[512] = "";
	size_t jl = 0;
	for (const char *p = b.data; (p = strstr(p, "=?UTF-8?B?")) != NULL;) {
		p += 10;
		const char *q = strstr(p, "?=");
		unsigned char bin[128];
		size_t bl = 0;
		CU_ASSERT_EQUAL(sodium_base642bin(bin, sizeof(bin), p, (size_t)(q - p), NULL, &bl, NULL,
						  sodium_base64_VARIANT_ORIGINAL), 0);
		memcpy(joined + jl, bin, bl);
		jl += bl;
		p = q + 2;
	}
	joined[jl] = '\0';
	CU_ASSERT_STRING_EQUAL(joined, "Votre rendez-vous du lundi 7 décembre 2026 à 14 h 30 est confirmé");
	buf_free(&b);
}

static void test_mail_qp(void)
{
	struct buf b = BUF_INIT;
	mail_put_qp(&b, "é = 1 \n.point\nfin   ");
	CU_ASSERT_STRING_EQUAL(b.data, "=C3=A9 =3D 1=20\r\n=2Epoint\r\nfin  =20\r\n");
	buf_reset(&b);
	char longline[300];
	memset(longline, 'x', 299);
	longline[299] = '\0';
	mail_put_qp(&b, longline);
	for (const char *p = b.data; *p;) {
		const char *e = strstr(p, "\r\n");
		CU_ASSERT((size_t)(e - p) <= 76);
		p = e + 2;
	}
	buf_free(&b);
}

static void test_mail_build(void)
{
	struct mail_msg m = {
		.from = "RDV Solidarités <ne-pas-repondre@rdv-solidarites.fr>", .to = "usager@example.fr",
		.to_name = "Sarah Demoulin", .subject = "Votre rendez-vous est confirmé", .text = "Bonjour,\nà bientôt.",
		.html = "<p>Bonjour,</p>", .ics = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", .ics_method = "REQUEST",
		.date = 1767225600,
	};
	struct buf b = BUF_INIT;
	CU_ASSERT_EQUAL(mail_build(&b, &m), 0);
	CU_ASSERT(strstr(b.data, "From: =?UTF-8?B?") == b.data);
	CU_ASSERT(strstr(b.data, "<ne-pas-repondre@rdv-solidarites.fr>\r\nTo: Sarah Demoulin <usager@example.fr>\r\n") != NULL);
	CU_ASSERT(strstr(b.data, "Date: Thu, 01 Jan 2026 00:00:00 +0000\r\n") != NULL);
	CU_ASSERT(strstr(b.data, "MIME-Version: 1.0\r\n") != NULL);
	CU_ASSERT(strstr(b.data, "Content-Type: multipart/mixed; boundary=") != NULL);
	CU_ASSERT(strstr(b.data, "Content-Type: multipart/alternative; boundary=") != NULL);
	CU_ASSERT(strstr(b.data, "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable") != NULL);
	CU_ASSERT(strstr(b.data, "Bonjour,\r\n=C3=A0 bient=C3=B4t.\r\n") != NULL);
	CU_ASSERT(strstr(b.data, "Content-Type: text/html; charset=UTF-8") != NULL);
	CU_ASSERT(strstr(b.data, "Content-Type: text/calendar; charset=UTF-8; method=REQUEST") != NULL);
	CU_ASSERT(strstr(b.data, "Content-Disposition: attachment; filename=\"invite.ics\"") != NULL);
	CU_ASSERT(strstr(b.data, "QkVHSU46VkNBTEVOREFSDQpFTkQ6VkNBTEVOREFSDQo=") != NULL);
	/* CRLF only */
	for (size_t i = 0; i < b.len; i++)
		if (b.data[i] == '\n')
			CU_ASSERT(i > 0 && b.data[i - 1] == '\r');
	/* header injection refused */
	m.to = "a@b.fr\r\nBcc: x@y.fr";
	buf_reset(&b);
	CU_ASSERT(mail_build(&b, &m) < 0);
	buf_free(&b);
}

static void test_mail_file_transport(void)
{
	char dir[] = "/tmp/rdv-mail-XXXXXX";
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	setenv("RDV_STATE", dir, 1);
	unsetenv("RDV_SMTP_URL");
	struct buf msg = BUF_INIT;
	buf_puts(&msg, "Subject: test\r\n\r\nhello\r\n");
	char err[128];
	int permanent = 1;
	CU_ASSERT_EQUAL(mail_send("a@b.fr", "c@d.fr", &msg, err, sizeof(err), &permanent), 0);
	char sub[64];
	snprintf(sub, sizeof(sub), "%s/mail", dir);
	DIR *d = opendir(sub);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	int n = 0;
	struct dirent *e;
	char path[400];
	while ((e = readdir(d)) != NULL) {
		if (strstr(e->d_name, ".eml") != NULL) {
			n++;
			snprintf(path, sizeof(path), "%s/%s", sub, e->d_name);
			unlink(path);
		}
	}
	closedir(d);
	rmdir(sub);
	rmdir(dir);
	CU_ASSERT_EQUAL(n, 1);
	buf_free(&msg);
	char addr[100];
	mail_address_of("Nom <x@y.fr>", addr, sizeof(addr));
	CU_ASSERT_STRING_EQUAL(addr, "x@y.fr");
}

void register_mail_suite(void)
{
	if (sodium_init() < 0)
		return;
	CU_pSuite s = CU_add_suite("mail", NULL, NULL);
	CU_add_test(s, "RFC 2047 subject", test_mail_encoded_subject);
	CU_add_test(s, "quoted-printable", test_mail_qp);
	CU_add_test(s, "MIME structure with calendar", test_mail_build);
	CU_add_test(s, "file transport writes one .eml", test_mail_file_transport);
}
