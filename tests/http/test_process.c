/*
 * test_process.c - the FastCGI process model: a worker process killed with
 * SIGKILL is replaced by the master at once, and SIGTERM stops everything
 * within the deadline and removes the socket. Runs the real rdv-search
 * binary (next to http-tests) on a socket of its own.
 */
#include <CUnit/CUnit.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "client.h"

static int children_of(pid_t pid, pid_t *out, int max)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return -1;
	int n = 0, v;
	while (n < max && fscanf(f, "%d", &v) == 1)
		out[n++] = v;
	fclose(f);
	return n;
}

static int wait_for(int (*cond)(void *), void *arg, int tenths)
{
	for (int i = 0; i < tenths; i++) {
		if (cond(arg))
			return 1;
		usleep(100 * 1000);
	}
	return cond(arg);
}

static int socket_exists(void *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

static int socket_gone(void *path)
{
	return !socket_exists(path);
}

struct kids { pid_t master; int want; pid_t not; };

static int has_kids(void *p)
{
	struct kids *k = p;
	pid_t c[16];
	int n = children_of(k->master, c, 16);
	if (n != k->want)
		return 0;
	for (int i = 0; i < n; i++)
		if (c[i] == k->not)
			return 0;
	return 1;
}

static void test_crash_and_graceful_stop(void)
{
	char exe[1024], prog[1100], sock[128];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	CU_ASSERT_FATAL(n > 0);
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0';
	snprintf(prog, sizeof(prog), "%s/rdv-search", exe);
	snprintf(sock, sizeof(sock), "/tmp/rdv-process-test-%d.sock", (int)getpid());
	pid_t master = fork();
	if (master == 0) {
		setenv("RDV_SOCKET", sock, 1);
		setenv("RDV_PROCESSES", "2", 1);
		setenv("RDV_THREADS", "2", 1);
		freopen("/dev/null", "w", stderr);
		execl(prog, prog, (char *)NULL);
		_exit(127);
	}
	CU_ASSERT_FATAL(wait_for(socket_exists, sock, 100));
	struct kids k = {master, 2, 0};
	CU_ASSERT_FATAL(wait_for(has_kids, &k, 50));
	pid_t c[16];
	CU_ASSERT_EQUAL(children_of(master, c, 16), 2);
	/* a crash of one worker: replaced, the socket never went away */
	kill(c[0], SIGKILL);
	k.not = c[0];
	CU_ASSERT(wait_for(has_kids, &k, 50));
	CU_ASSERT(socket_exists(sock));
	/* graceful stop: exits 0 within the deadline, socket removed, no child left */
	time_t t0 = time(NULL);
	kill(master, SIGTERM);
	int status = -1;
	pid_t done = 0;
	for (int i = 0; i < 150 && done == 0; i++) {
		done = waitpid(master, &status, WNOHANG);
		if (done == 0)
			usleep(100 * 1000);
	}
	CU_ASSERT_EQUAL(done, master);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CU_ASSERT(time(NULL) - t0 <= 12);
	CU_ASSERT(wait_for(socket_gone, sock, 10));
	for (int i = 0; i < 2; i++)
		CU_ASSERT(kill(c[1], 0) != 0);
	if (done != master) {
		kill(master, SIGKILL);
		waitpid(master, NULL, 0);
	}
}

void register_process_http(void)
{
	CU_pSuite s = CU_add_suite("http: process model", NULL, NULL);
	CU_add_test(s, "worker crash replaced, SIGTERM stops cleanly", test_crash_and_graceful_stop);
}
