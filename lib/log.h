/*
 * log.h - one line per event on stderr (which stack.sh and systemd send to the
 * program's log). Each line is written with a single write(2) so lines from
 * several threads never interleave. Never log secrets: tokens, passwords,
 * cookies or request bodies.
 */
#ifndef RDV_LOG_H
#define RDV_LOG_H

void log_set_program(const char *program);   /* static string, set once at start */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));   /* with strerror(errno) */
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));  /* without errno */
/* The access log: program, method, path, status, microseconds. */
void log_request(const char *method, const char *path, int status, long long micros);

#endif
