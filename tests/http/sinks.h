/*
 * sinks.h - a tiny SMTP server and a tiny HTTP endpoint for the worker's
 * integration tests, each in its own thread on 127.0.0.1 with an ephemeral
 * port. They record what they receive (under a mutex) and answer what the
 * test asks: an SMTP sink with fail_code 451 refuses every message; an HTTP
 * sink answers fail_code (0: 200; change it under lock between requests). Start, use, stop: everything is freed by *_stop.
 */
#ifndef RDV_TEST_SINKS_H
#define RDV_TEST_SINKS_H

#include <pthread.h>

#define SINK_MAX 256

struct sink_msg {
	char *rcpt;       /* SMTP: the RCPT address; HTTP: the path */
	char *data;       /* SMTP: the message; HTTP: the body */
	char *signature;  /* HTTP: X-Lapin-Signature header, or NULL */
};

struct sink {
	int fd;
	int port;
	int fail_code;    /* SMTP: answer to DATA end (0 = 250); HTTP: status to answer (0 = 200) */
	int stop;
	int count;
	int connections;
	struct sink_msg msgs[SINK_MAX];
	pthread_t thread;
	pthread_mutex_t lock;
};

int sink_smtp_start(struct sink *s);
int sink_http_start(struct sink *s);
void sink_stop(struct sink *s);
/* Number of messages received so far (locked read). */
int sink_count(struct sink *s);

#endif
