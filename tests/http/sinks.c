/*
 * sinks.c - SMTP and HTTP sinks for the worker tests (sinks.h). One client
 * at a time, blocking I/O with a poll() timeout so sink_stop() returns fast.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sinks.h"

static int sink_listen(struct sink *s)
{
	s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof(a);
	if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(s->fd, 16) != 0 ||
	    getsockname(s->fd, (struct sockaddr *)&a, &len) != 0)
		return -1;
	s->port = ntohs(a.sin_port);
	pthread_mutex_init(&s->lock, NULL);
	return 0;
}

/* Reads one line (up to CRLF) into line; 0 on EOF/timeout. */
static int sink_readline(int fd, char *line, size_t n)
{
	size_t i = 0;
	while (i + 1 < n) {
		struct pollfd p = {fd, POLLIN, 0};
		if (poll(&p, 1, 5000) <= 0)
			return 0;
		char c;
		if (read(fd, &c, 1) != 1)
			return 0;
		line[i++] = c;
		if (c == '\n')
			break;
	}
	line[i] = '\0';
	return (int)i;
}

static void sink_say(int fd, const char *s)
{
	ssize_t w = write(fd, s, strlen(s));
	(void)w;
}

static void sink_record(struct sink *s, const char *rcpt, char *data, const char *sig)
{
	pthread_mutex_lock(&s->lock);
	if (s->count < SINK_MAX) {
		s->msgs[s->count].rcpt = strdup(rcpt);
		s->msgs[s->count].data = data;
		s->msgs[s->count].signature = sig ? strdup(sig) : NULL;
		s->count++;
		data = NULL;
	}
	pthread_mutex_unlock(&s->lock);
	free(data);
}

static void sink_smtp_session(struct sink *s, int c)
{
	char line[2048], rcpt[512] = "";
	sink_say(c, "220 sink ESMTP\r\n");
	while (sink_readline(c, line, sizeof(line)) > 0) {
		if (strncasecmp(line, "EHLO", 4) == 0 || strncasecmp(line, "HELO", 4) == 0) {
			sink_say(c, "250-sink\r\n250 8BITMIME\r\n");
		} else if (strncasecmp(line, "MAIL FROM", 9) == 0) {
			sink_say(c, "250 OK\r\n");
		} else if (strncasecmp(line, "RCPT TO:", 8) == 0) {
			char *lt = strchr(line, '<'), *gt = lt ? strchr(lt, '>') : NULL;
			if (lt && gt)
				snprintf(rcpt, sizeof(rcpt), "%.*s", (int)(gt - lt - 1), lt + 1);
			sink_say(c, "250 OK\r\n");
		} else if (strncasecmp(line, "DATA", 4) == 0) {
			sink_say(c, "354 go\r\n");
			size_t cap = 1 << 16, len = 0;
			char *data = malloc(cap);
			while (sink_readline(c, line, sizeof(line)) > 0 && strcmp(line, ".\r\n") != 0) {
				size_t l = strlen(line);
				if (len + l + 1 > cap)
					data = realloc(data, cap *= 2);
				memcpy(data + len, line, l);
				len += l;
			}
			data[len] = '\0';
			if (s->fail_code) {
				free(data);
				snprintf(line, sizeof(line), "%d try again later\r\n", s->fail_code);
				sink_say(c, line);
			} else {
				sink_record(s, rcpt, data, NULL);
				sink_say(c, "250 queued\r\n");
			}
		} else if (strncasecmp(line, "QUIT", 4) == 0) {
			sink_say(c, "221 bye\r\n");
			break;
		} else {
			sink_say(c, "250 OK\r\n");
		}
	}
}

static void sink_http_session(struct sink *s, int c)
{
	char line[2048], path[512] = "", sig[200] = "";
	long clen = 0;
	if (sink_readline(c, line, sizeof(line)) <= 0)
		return;
	sscanf(line, "%*s %511s", path);
	while (sink_readline(c, line, sizeof(line)) > 0 && strcmp(line, "\r\n") != 0) {
		if (strncasecmp(line, "Content-Length:", 15) == 0)
			clen = atol(line + 15);
		if (strncasecmp(line, "X-Lapin-Signature:", 18) == 0)
			sscanf(line + 18, " %199s", sig);
	}
	char *body = calloc(1, (size_t)clen + 1);
	long got = 0;
	while (got < clen) {
		ssize_t r = read(c, body + got, (size_t)(clen - got));
		if (r <= 0)
			break;
		got += r;
	}
	sink_record(s, path, body, sig[0] ? sig : NULL);
	pthread_mutex_lock(&s->lock);   /* a test may switch the answer between runs */
	int st = s->fail_code ? s->fail_code : 200;
	pthread_mutex_unlock(&s->lock);
	snprintf(line, sizeof(line), "HTTP/1.1 %d X\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok", st);
	sink_say(c, line);
}

static void *sink_loop(struct sink *s, void (*session)(struct sink *, int))
{
	while (!s->stop) {
		struct pollfd p = {s->fd, POLLIN, 0};
		if (poll(&p, 1, 100) <= 0)
			continue;
		int c = accept(s->fd, NULL, NULL);
		if (c < 0)
			continue;
		pthread_mutex_lock(&s->lock);
		s->connections++;
		pthread_mutex_unlock(&s->lock);
		session(s, c);
		close(c);
	}
	return NULL;
}

static void *sink_smtp_main(void *arg) { return sink_loop(arg, sink_smtp_session); }
static void *sink_http_main(void *arg) { return sink_loop(arg, sink_http_session); }

int sink_smtp_start(struct sink *s)
{
	if (sink_listen(s) != 0)
		return -1;
	return pthread_create(&s->thread, NULL, sink_smtp_main, s);
}

int sink_http_start(struct sink *s)
{
	if (sink_listen(s) != 0)
		return -1;
	return pthread_create(&s->thread, NULL, sink_http_main, s);
}

int sink_count(struct sink *s)
{
	pthread_mutex_lock(&s->lock);
	int n = s->count;
	pthread_mutex_unlock(&s->lock);
	return n;
}

void sink_stop(struct sink *s)
{
	s->stop = 1;
	pthread_join(s->thread, NULL);
	close(s->fd);
	for (int i = 0; i < s->count; i++) {
		free(s->msgs[i].rcpt);
		free(s->msgs[i].data);
		free(s->msgs[i].signature);
	}
	pthread_mutex_destroy(&s->lock);
}
