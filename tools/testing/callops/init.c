// SPDX-License-Identifier: GPL-2.0
/*
 * PID 1 of the callops test guests.
 *
 * Mounts the pseudo file systems, runs every command of one suite file and
 * powers the machine off.  The suite is named by "callops_suite=NAME" on the
 * kernel command line (the kernel hands unknown "key=value" parameters to
 * init as environment variables) and read from /suites/NAME: one command per
 * line, arguments separated by blanks, '#' starts a comment line.
 *
 * The output is one KTAP document: each command is a subtest whose own
 * output is indented below it, and whose exit status gives its result
 * (0 pass, KSFT_SKIP skip, anything else fail).  A command that does not
 * finish within callops_timeout seconds is killed and fails.
 */

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define KSFT_SKIP		4
/* syslog(2) action that sets the console log level. */
#define SYSLOG_ACTION_CONSOLE_LEVEL	8
#define MAX_COMMANDS		64
#define MAX_ARGS		32
#define LINE_MAX_LEN		1024
#define DEFAULT_TIMEOUT_S	300
/* Console level 5: warnings, oopses and panics still reach the console. */
#define QUIET_CONSOLE_LEVEL	5

struct command {
	char *argv[MAX_ARGS + 1];
	const char *name;
};

static void die(const char *what)
{
	printf("callops-init: %s: %s\n", what, strerror(errno));
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	_exit(1);
}

static void mount_fs(const char *type, const char *dir)
{
	mkdir(dir, 0755);
	if (mount(type, dir, type, 0, NULL) && errno != EBUSY)
		die(dir);
}

static int parse_suite(const char *path, struct command *cmds)
{
	static char lines[MAX_COMMANDS][LINE_MAX_LEN];
	FILE *f = fopen(path, "r");
	int n = 0;

	if (!f)
		die(path);

	while (n < MAX_COMMANDS && fgets(lines[n], LINE_MAX_LEN, f)) {
		char *save, *arg = strtok_r(lines[n], " \t\n", &save);
		int argc = 0;

		if (!arg || arg[0] == '#')
			continue;
		for (; arg && argc < MAX_ARGS; arg = strtok_r(NULL, " \t\n", &save))
			cmds[n].argv[argc++] = arg;
		cmds[n].argv[argc] = NULL;
		cmds[n].name = basename(cmds[n].argv[0]);
		n++;
	}
	fclose(f);
	return n;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Copy the child's output to the console, indented as a KTAP subtest. */
static bool relay_output(int fd, long long deadline_ms)
{
	bool line_start = true;
	char buf[512];

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long long left = deadline_ms - now_ms();
		ssize_t len, i;

		if (left <= 0 || poll(&pfd, 1, left) <= 0)
			return false;
		len = read(fd, buf, sizeof(buf));
		if (len <= 0)
			break;
		for (i = 0; i < len; i++) {
			if (line_start)
				fputs("    ", stdout);
			putchar(buf[i]);
			line_start = buf[i] == '\n';
		}
		fflush(stdout);
	}
	if (!line_start)
		putchar('\n');
	return true;
}

static void run_command(int index, const struct command *cmd, int timeout_s)
{
	long long start = now_ms();
	int pipefd[2], status;
	bool finished;
	pid_t pid;

	/* Says which command a guest that stops printing was running. */
	printf("    # %s: started\n", cmd->name);
	fflush(stdout);
	if (pipe(pipefd))
		die("pipe");

	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		dup2(pipefd[1], STDOUT_FILENO);
		dup2(pipefd[1], STDERR_FILENO);
		close(pipefd[0]);
		close(pipefd[1]);
		execv(cmd->argv[0], cmd->argv);
		printf("# %s: %s\n", cmd->argv[0], strerror(errno));
		_exit(127);
	}

	close(pipefd[1]);
	finished = relay_output(pipefd[0], now_ms() + timeout_s * 1000LL);
	close(pipefd[0]);
	if (!finished) {
		kill(pid, SIGKILL);
		printf("    # %s: timed out after %d s\n", cmd->name, timeout_s);
	}
	waitpid(pid, &status, 0);
	/* What each command costs, for keeping make check within its time. */
	printf("    # %s: %.1f s\n", cmd->name, (now_ms() - start) / 1000.0);

	if (!finished)
		printf("not ok %d %s\n", index, cmd->name);
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		printf("ok %d %s\n", index, cmd->name);
	else if (WIFEXITED(status) && WEXITSTATUS(status) == KSFT_SKIP)
		printf("ok %d %s # SKIP\n", index, cmd->name);
	else if (WIFSIGNALED(status))
		printf("    # %s: killed by signal %d\nnot ok %d %s\n",
		       cmd->name, WTERMSIG(status), index, cmd->name);
	else
		printf("    # %s: exit status %d\nnot ok %d %s\n",
		       cmd->name, WEXITSTATUS(status), index, cmd->name);
	fflush(stdout);
}

int main(void)
{
	static struct command cmds[MAX_COMMANDS];
	const char *suite = getenv("callops_suite");
	const char *timeout = getenv("callops_timeout");
	int timeout_s = timeout ? atoi(timeout) : DEFAULT_TIMEOUT_S;
	char path[256];
	int i, n;

	mount_fs("proc", "/proc");
	mount_fs("sysfs", "/sys");
	mount_fs("devtmpfs", "/dev");
	mount_fs("tracefs", "/sys/kernel/tracing");

	if (!suite)
		suite = "check";
	snprintf(path, sizeof(path), "/suites/%s", suite);
	n = parse_suite(path, cmds);

	klogctl(SYSLOG_ACTION_CONSOLE_LEVEL, NULL, QUIET_CONSOLE_LEVEL);
	printf("callops-init: running suite %s\n", suite);
	printf("KTAP version 1\n1..%d\n", n);
	fflush(stdout);
	for (i = 0; i < n; i++)
		run_command(i + 1, &cmds[i], timeout_s);

	printf("callops-init: suite %s done\n", suite);
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
