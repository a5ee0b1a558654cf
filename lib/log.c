/* log.c - thread-safe one-line logging on stderr (log.h). */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *log_program = "rdv";

void log_set_program(const char *program)
{
	log_program = program;
}

static void log_line(const char *level, int with_errno, const char *fmt, va_list ap)
{
	char line[2048];
	int saved = errno;
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%SZ ", &tm);
	n += (size_t)snprintf(line + n, sizeof(line) - n, "%s %s ", log_program, level);
	if (n < sizeof(line)) {
		int m = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
		n = m < 0 ? n : n + (size_t)m;
	}
	if (with_errno && n < sizeof(line)) {
		char eb[128];
		n += (size_t)snprintf(line + n, sizeof(line) - n, ": %s", strerror_r(saved, eb, sizeof(eb)));
	}
	if (n >= sizeof(line) - 1)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	ssize_t w = write(STDERR_FILENO, line, n);
	(void)w;
	errno = saved;
}

void log_info(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_line("info", 0, fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_line("warn", 1, fmt, ap);
	va_end(ap);
}

void log_warnx(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_line("warn", 0, fmt, ap);
	va_end(ap);
}

void log_request(const char *method, const char *path, int status, long long micros)
{
	log_info("%s %s %d %lldus", method, path, status, micros);
}
