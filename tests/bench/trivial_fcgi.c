/*
 * trivial_fcgi.c - the ceiling of `make bench`: the smallest FastCGI
 * responder (libfcgi, same thread model as lib/app: T threads on one socket)
 * answering a constant page. Our programs are measured as a ratio to it.
 *
 *   trivial_fcgi SOCKET THREADS
 */
#include <fcgiapp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <string.h>

static int listen_fd;

static void *serve(void *arg)
{
	(void)arg;
	FCGX_Request rq;
	FCGX_InitRequest(&rq, listen_fd, 0);
	while (FCGX_Accept_r(&rq) >= 0) {
		FCGX_PutS("Status: 200 OK\r\nContent-Type: text/plain\r\n\r\nok\n", rq.out);
		FCGX_Finish_r(&rq);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", argv[1]);
	unlink(argv[1]);
	listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (bind(listen_fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(listen_fd, 1024) != 0)
		return 1;
	chmod(argv[1], 0666);
	FCGX_Init();
	int n = atoi(argv[2]);
	pthread_t t[64];
	for (int i = 0; i < n && i < 64; i++)
		pthread_create(&t[i], NULL, serve, NULL);
	for (int i = 0; i < n && i < 64; i++)
		pthread_join(t[i], NULL);
	return 0;
}
