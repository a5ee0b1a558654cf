/*
 * test_tmpl.c - the template engine: escaping, conditions, loops, loop
 * variables, BREAK/CONTINUE, includes, comments, camouflaged tags, line
 * continuations, every load-time error with its file:line, directory
 * loading, the data API, concurrent renders, and the golden cases of
 * tests/tmpl/ (NAME.tmpl + NAME.vars -> NAME.out or NAME.err, see
 * templates/README.md). Run from the repository root.
 */
#include <CUnit/CUnit.h>
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "buf.h"
#include "rdv.h"
#include "tmpl.h"

#define GOLDEN_DIR "tests/tmpl"

static struct arena *A; /* reset by each test */

static int suite_init(void)
{
	A = arena_new(16 * 1024);
	return A == NULL;
}

static int suite_clean(void)
{
	arena_free(A);
	A = NULL;
	return 0;
}

/* CU_ASSERT reports the helper's line; these report the caller's. */
static void check_at(int ok, int line, const char *what)
{
	CU_assertImplementation(ok ? CU_TRUE : CU_FALSE, (unsigned)line, what, __FILE__, "", CU_FALSE);
}

static void expect_render_at(int line, const char *text, const struct tmpl_vars *v, const char *expect)
{
	char err[512];
	struct tmpl_set *set = tmpl_compile_string("t.tmpl", text, NULL, err, sizeof(err));
	if (set == NULL) {
		fprintf(stderr, "\n%s:%d: unexpected compile error: %s\n", __FILE__, line, err);
		check_at(0, line, "template compiles");
		return;
	}
	struct buf b = BUF_INIT;
	int rc = tmpl_render(set, "t.tmpl", v, &b);
	const char *got = b.data != NULL ? b.data : "";
	if (rc != 0 || strcmp(got, expect) != 0)
		fprintf(stderr, "\n%s:%d: rendered [%s]\n%*sexpected [%s]\n", __FILE__, line, got,
			(int)strlen(__FILE__) + 8, "", expect);
	check_at(rc == 0, line, "tmpl_render returns 0");
	check_at(strcmp(got, expect) == 0, line, "rendered text as expected");
	buf_free(&b);
	tmpl_set_free(set);
}

static void expect_error_at(int line, const char *text, const char *root, const char *expect)
{
	char err[512] = "untouched";
	struct tmpl_set *set = tmpl_compile_string("t.tmpl", text, root, err, sizeof(err));
	if (set != NULL || strstr(err, expect) == NULL)
		fprintf(stderr, "\n%s:%d: %s; error [%s], expected to contain [%s]\n", __FILE__, line,
			set != NULL ? "compiled" : "failed", err, expect);
	check_at(set == NULL, line, "template is refused");
	check_at(strstr(err, expect) != NULL, line, "error message as expected");
	tmpl_set_free(set);
}

#define EXPECT_RENDER(text, v, expect) expect_render_at(__LINE__, text, v, expect)
#define EXPECT_ERROR(text, expect) expect_error_at(__LINE__, text, NULL, expect)
#define EXPECT_ERROR_ROOT(text, root, expect) expect_error_at(__LINE__, text, root, expect)

static struct tmpl_vars *vars_fresh(void)
{
	arena_reset(A);
	struct tmpl_vars *v = tmpl_vars_new(A);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	return v;
}

/* A loop row holding one variable. */
static struct tmpl_vars *row_with(struct tmpl_loop *l, const char *name, const char *value)
{
	struct tmpl_vars *r = tmpl_loop_add_row(l);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(tmpl_set_var(r, name, value), 0);
	return r;
}

/* ------------------------------------------------------------------ */

static void test_escape_default(void)
{
	struct tmpl_vars *v = vars_fresh();
	tmpl_set_var(v, "s", "<a href=\"x\">&'</a>");
	EXPECT_RENDER("[<TMPL_VAR name=s>]", v, "[&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;]");
	EXPECT_RENDER("<TMPL_VAR name=s fmt=entity>", v, "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
	EXPECT_RENDER("<TMPL_VAR name=s fmt=html>", v, "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
	/* text around tags is never escaped */
	EXPECT_RENDER("<b>&amp;</b>", v, "<b>&amp;</b>");
}

static void test_fmt(void)
{
	struct tmpl_vars *v = vars_fresh();
	tmpl_set_var(v, "q", "é a/b?c=d&e");
	tmpl_set_var(v, "s", "a\"b\\c\n</script>");
	tmpl_set_var(v, "h", "<em>ok</em>");
	EXPECT_RENDER("<TMPL_VAR name=q fmt=url>", v, "%C3%A9%20a%2Fb%3Fc%3Dd%26e");
	EXPECT_RENDER("<TMPL_VAR name=s fmt=js>", v, "a\\\"b\\\\c\\n\\u003c/script\\u003e");
	EXPECT_RENDER("<TMPL_VAR name=s fmt=\"json\">", v, "a\\\"b\\\\c\\n\\u003c/script\\u003e");
	EXPECT_RENDER("<TMPL_VAR name=h fmt='none'>", v, "<em>ok</em>");
	/* fmt applies to default= too */
	EXPECT_RENDER("<TMPL_VAR name=zz fmt=url default='a b'>", v, "a%20b");
	EXPECT_RENDER("<TMPL_VAR name=zz fmt=js default='\"'>", v, "\\\"");
	EXPECT_RENDER("<TMPL_VAR name=zz fmt=none default='<br>'>", v, "<br>");
}

static void test_default_empty_missing(void)
{
	struct tmpl_vars *v = vars_fresh();
	tmpl_set_var(v, "empty", "");
	tmpl_set_var(v, "set", "x");
	EXPECT_RENDER("[<TMPL_VAR name=nope>]", v, "[]");
	EXPECT_RENDER("[<TMPL_VAR name=nope default=\"-\">]", v, "[-]");
	EXPECT_RENDER("[<TMPL_VAR name=nope default=\"<&>\">]", v, "[&lt;&amp;&gt;]");
	EXPECT_RENDER("[<TMPL_VAR name=empty default=\"-\">]", v, "[]");
	EXPECT_RENDER("[<TMPL_VAR name=set default=\"-\">]", v, "[x]");
	EXPECT_RENDER("[<TMPL_VAR name=nope default=\"\">]", v, "[]");
	/* NULL vars: every variable is missing */
	EXPECT_RENDER("[<TMPL_VAR name=a default=d><TMPL_IF name=a>x</TMPL_IF>]", NULL, "[d]");
}

static void test_conditions(void)
{
	struct tmpl_vars *v = vars_fresh();
	tmpl_set_var(v, "st", "booked");
	tmpl_set_var(v, "empty", "");
	tmpl_set_bool(v, "yes", 1);
	tmpl_set_bool(v, "no", 0);
	const char *chain = "<TMPL_IF name=st value=new>N<TMPL_ELSIF name=st value=booked>B"
			    "<TMPL_ELSIF name=yes>Y<TMPL_ELSE>E</TMPL_IF>";
	EXPECT_RENDER(chain, v, "B");
	EXPECT_RENDER("<TMPL_IF name=no>1<TMPL_ELSIF name=empty>2<TMPL_ELSIF name=yes>3<TMPL_ELSE>4</TMPL_IF>", v, "3");
	EXPECT_RENDER("<TMPL_IF name=no>1<TMPL_ELSIF name=empty>2<TMPL_ELSE>4</TMPL_IF>", v, "4");
	EXPECT_RENDER("<TMPL_IF name=no>1</TMPL_IF>", v, "");
	EXPECT_RENDER("<TMPL_IF name=st value=Booked>case</TMPL_IF>", v, "");
	/* value="" is the negation of the plain test */
	EXPECT_RENDER("<TMPL_IF name=empty value=''>a</TMPL_IF><TMPL_IF name=no value=\"\">b</TMPL_IF>"
		      "<TMPL_IF name=yes value=\"\">c</TMPL_IF>", v, "ab");
	/* nesting */
	EXPECT_RENDER("<TMPL_IF name=yes><TMPL_IF name=no>x<TMPL_ELSE><TMPL_UNLESS name=empty>"
		      "<TMPL_IF name=st value=booked>deep</TMPL_IF></TMPL_UNLESS></TMPL_IF></TMPL_IF>", v, "deep");
	/* UNLESS, with ELSE and with value= */
	EXPECT_RENDER("<TMPL_UNLESS name=no>u</TMPL_UNLESS><TMPL_UNLESS name=yes>x<TMPL_ELSE>e</TMPL_UNLESS>", v, "ue");
	EXPECT_RENDER("<TMPL_UNLESS name=st value=booked>x<TMPL_ELSE>is booked</TMPL_UNLESS>", v, "is booked");
	EXPECT_RENDER("<TMPL_UNLESS name=empty value=''>x<TMPL_ELSE>neg neg</TMPL_UNLESS>", v, "neg neg");
}

/* tmpl_set_field_error: the refused field's id and its message, nothing
 * without a field or a message. */
static void test_field_error(void)
{
	const char *group = "<TMPL_IF name=error_field value=email>[<TMPL_VAR name=field_error>]</TMPL_IF>"
			    "<TMPL_IF name=error_field value=name>x</TMPL_IF>";
	struct tmpl_vars *v = vars_fresh();
	CU_ASSERT_EQUAL(tmpl_set_field_error(v, "email", "E-mail invalide"), 0);
	EXPECT_RENDER(group, v, "[E-mail invalide]");
	v = vars_fresh();
	CU_ASSERT_EQUAL(tmpl_set_field_error(v, NULL, "Message sans champ"), 0);
	CU_ASSERT_EQUAL(tmpl_set_field_error(v, "email", NULL), 0);
	EXPECT_RENDER(group, v, "");
}

static void test_conditions_loops(void)
{
	struct tmpl_vars *v = vars_fresh();
	struct tmpl_loop *none = tmpl_add_loop(v, "none");
	CU_ASSERT_PTR_NOT_NULL(none);
	CU_ASSERT_EQUAL(tmpl_loop_rows(none), 0);
	row_with(tmpl_add_loop(v, "some"), "x", "1");
	/* a loop with rows is true, with zero rows false, missing false */
	EXPECT_RENDER("<TMPL_IF name=some>S</TMPL_IF><TMPL_IF name=none>N<TMPL_ELSE>empty</TMPL_IF>"
		      "<TMPL_IF name=missing>M</TMPL_IF><TMPL_UNLESS name=none>!</TMPL_UNLESS>", v, "Sempty!");
	/* a simple variable of the same name decides before the loop */
	tmpl_set_var(v, "some", "");
	EXPECT_RENDER("<TMPL_IF name=some>S<TMPL_ELSE>hidden</TMPL_IF>", v, "hidden");
	tmpl_set_var(v, "some", NULL); /* absent again: the loop decides */
	EXPECT_RENDER("<TMPL_IF name=some>S<TMPL_ELSE>hidden</TMPL_IF>", v, "S");
	/* value= compares simple variables only */
	EXPECT_RENDER("<TMPL_IF name=some value=x>eq<TMPL_ELSE>ne</TMPL_IF>", v, "ne");
	/* a missing loop makes the LOOP statement disappear */
	EXPECT_RENDER("a<TMPL_LOOP name=missing>x</TMPL_LOOP>b", v, "ab");
}

static void test_loops_scope(void)
{
	struct tmpl_vars *v = vars_fresh();
	tmpl_set_var(v, "org", "CD59");
	tmpl_set_var(v, "who", "root");
	tmpl_set_var(v, "list", "a var named like a loop");
	struct tmpl_loop *outer = tmpl_add_loop(v, "list");
	struct tmpl_vars *r1 = row_with(outer, "who", "A");
	struct tmpl_vars *r2 = row_with(outer, "who", "B");
	tmpl_set_var(r2, "org", "CD62");
	row_with(tmpl_add_loop(r1, "inner"), "n", "1");
	struct tmpl_vars *deep = row_with(tmpl_add_loop(r1, "inner"), "n", "2");
	tmpl_set_var(deep, "who", "A2"); /* innermost wins */
	row_with(tmpl_add_loop(r2, "inner"), "n", "3");
	EXPECT_RENDER("<TMPL_LOOP name=list>[<TMPL_VAR name=who>@<TMPL_VAR name=org>"
		      "<TMPL_LOOP name=inner> <TMPL_VAR name=n>:<TMPL_VAR name=who>/<TMPL_VAR name=org></TMPL_LOOP>]"
		      "</TMPL_LOOP> <TMPL_VAR name=list>", v,
		      "[A@CD59 1:A/CD59 2:A2/CD59][B@CD62 3:B/CD62] a var named like a loop");
	/* a loop found in an outer scope is iterated from an inner one */
	struct tmpl_vars *w = vars_fresh();
	row_with(tmpl_add_loop(w, "days"), "d", "lun");
	row_with(tmpl_add_loop(w, "days"), "d", "mar");
	row_with(tmpl_add_loop(w, "rows"), "r", "1");
	row_with(tmpl_add_loop(w, "rows"), "r", "2");
	EXPECT_RENDER("<TMPL_LOOP name=rows><TMPL_VAR name=r>:<TMPL_LOOP name=days><TMPL_VAR name=d>"
		      "<TMPL_VAR name=r></TMPL_LOOP>;</TMPL_LOOP>", w, "1:lun1mar1;2:lun2mar2;");
}

static void test_loop_vars(void)
{
	struct tmpl_vars *v = vars_fresh();
	struct tmpl_loop *l = tmpl_add_loop(v, "l");
	for (int i = 0; i < 12; i++)
		CU_ASSERT_EQUAL(tmpl_set_int(tmpl_loop_add_row(l), "i", i * 10), 0);
	EXPECT_RENDER("<TMPL_LOOP name=l><TMPL_VAR name=__counter__>=<TMPL_VAR name=i>"
		      "<TMPL_IF name=__first__>F</TMPL_IF><TMPL_IF name=__last__>L</TMPL_IF>"
		      "<TMPL_IF name=__odd__>o</TMPL_IF> </TMPL_LOOP>", v,
		      "1=0Fo 2=10 3=20o 4=30 5=40o 6=50 7=60o 8=70 9=80o 10=90 11=100o 12=110L ");
	EXPECT_RENDER("<TMPL_LOOP name=l><TMPL_IF name=__counter__ value=10>ten</TMPL_IF></TMPL_LOOP>", v, "ten");
	EXPECT_RENDER("<TMPL_LOOP name=l><TMPL_VAR name=__first__><TMPL_VAR name=__last__></TMPL_LOOP>", v, "11");
	/* outside any loop they are absent */
	EXPECT_RENDER("[<TMPL_VAR name=__counter__ default=none>]<TMPL_IF name=__first__ value=''>!</TMPL_IF>",
		      v, "[none]!");
	/* a single row is first and last */
	struct tmpl_vars *w = vars_fresh();
	tmpl_loop_add_row(tmpl_add_loop(w, "one"));
	EXPECT_RENDER("<TMPL_LOOP name=one><TMPL_IF name=__first__>F</TMPL_IF><TMPL_IF name=__last__>L</TMPL_IF>"
		      "</TMPL_LOOP>", w, "FL");
	/* user variables can not shadow them */
	tmpl_set_var(w, "__counter__", "x");
	EXPECT_RENDER("<TMPL_VAR name=__counter__>", w, "");
}

static void test_break_continue(void)
{
	struct tmpl_vars *v = vars_fresh();
	struct tmpl_loop *n = tmpl_add_loop(v, "n");
	struct tmpl_loop *o = tmpl_add_loop(v, "o");
	for (int i = 1; i <= 4; i++)
		tmpl_set_int(tmpl_loop_add_row(n), "v", i);
	for (int i = 1; i <= 3; i++)
		tmpl_set_int(tmpl_loop_add_row(o), "w", i);
	EXPECT_RENDER("<TMPL_LOOP name=n><TMPL_VAR name=v><TMPL_IF name=v value=2><TMPL_BREAK></TMPL_IF>,"
		      "</TMPL_LOOP>.", v, "1,2.");
	EXPECT_RENDER("<TMPL_LOOP name=n><TMPL_IF name=v value=2><TMPL_CONTINUE level=1/></TMPL_IF>"
		      "<TMPL_VAR name=v></TMPL_LOOP>", v, "134");
	/* level=2 acts on the outer loop */
	EXPECT_RENDER("<TMPL_LOOP name=o><TMPL_VAR name=w>(<TMPL_LOOP name=n><TMPL_IF name=v value=3>"
		      "<TMPL_CONTINUE level=2></TMPL_IF><TMPL_VAR name=v></TMPL_LOOP>)</TMPL_LOOP>", v,
		      "1(122(123(12");
	EXPECT_RENDER("<TMPL_LOOP name=o><TMPL_VAR name=w>(<TMPL_LOOP name=n><TMPL_IF name=w value=2>"
		      "<TMPL_IF name=v value=3><TMPL_BREAK level=2></TMPL_IF></TMPL_IF><TMPL_VAR name=v>"
		      "</TMPL_LOOP>)</TMPL_LOOP>end", v, "1(1234)2(12end");
	/* BREAK nested in IF/UNLESS blocks inside the loop */
	EXPECT_RENDER("<TMPL_LOOP name=n><TMPL_UNLESS name=v value=1><TMPL_IF name=v><TMPL_BREAK></TMPL_IF>"
		      "</TMPL_UNLESS><TMPL_VAR name=v></TMPL_LOOP>", v, "1");
	/* three levels */
	EXPECT_RENDER("<TMPL_LOOP name=o><TMPL_LOOP name=n><TMPL_LOOP name=n><TMPL_VAR name=v>"
		      "<TMPL_BREAK level=3></TMPL_LOOP></TMPL_LOOP></TMPL_LOOP>!", v, "1!");
}

static void test_comments(void)
{
	struct tmpl_vars *v = vars_fresh();
	tmpl_set_var(v, "x", "X");
	EXPECT_RENDER("a<* hidden <TMPL_VAR name=x> *>b", v, "ab");
	EXPECT_RENDER("a<* line 1\nline 2 *>b<TMPL_VAR name=x>", v, "abX");
	EXPECT_RENDER("<<**>*", v, "<*");
	EXPECT_RENDER("<<**>TMPL_VAR name=x> <<**>/TMPL_IF>", v, "<TMPL_VAR name=x> </TMPL_IF>");
	EXPECT_RENDER("a *> b", v, "a *> b");
	EXPECT_RENDER("a<* <* *>b", v, "ab");
	EXPECT_RENDER("<*>*>", v, "");
	/* a comment may hide a broken tag */
	EXPECT_RENDER("<* <TMPL_IF name=x> *>ok", v, "ok");
	/* line numbers keep counting inside comments */
	EXPECT_ERROR("<*\n\n*>\n<TMPL_ELSE>", "t.tmpl:4: TMPL_ELSE outside TMPL_IF");
}

static void test_camouflage(void)
{
	struct tmpl_vars *v = vars_fresh();
	tmpl_set_var(v, "x", "X");
	EXPECT_RENDER("<!-- TMPL_VAR name=x -->|<!--TMPL_VAR name='x'-->|<!--\n\tTMPL_VAR name=x-->", v, "X|X|X");
	EXPECT_RENDER("<!-- TMPL_IF name=x -->y<!-- TMPL_ELSE -->n<!-- /TMPL_IF -->", v, "y");
	EXPECT_RENDER("<!-- TMPL_IF name=x -->y<!-- TMPL_ELSE --></TMPL_IF>", v, "y");
	EXPECT_RENDER("<!-- plain comment --><!--TMPL-->", v, "<!-- plain comment --><!--TMPL-->");
	EXPECT_RENDER("<!-- tmpl_var NAME=x -->", v, "X");
}

static void test_continuation(void)
{
	struct tmpl_vars *v = vars_fresh();
	tmpl_set_var(v, "x", "X");
	EXPECT_RENDER("a\\\nb", v, "ab");
	EXPECT_RENDER("a\\\r\nb", v, "ab");
	EXPECT_RENDER("a\\\\\nb", v, "a\\\nb");
	EXPECT_RENDER("a\\\\\r\nb", v, "a\\\r\nb");
	EXPECT_RENDER("a\\\\\\\nb", v, "a\\\\\nb");
	EXPECT_RENDER("a\\b \\\\c \\", v, "a\\b \\\\c \\");
	EXPECT_RENDER("a\\\rb", v, "a\\\rb");
	EXPECT_RENDER("<TMPL_IF name=x>\\\n<TMPL_VAR name=x>\\\n</TMPL_IF>\\\n!", v, "X!");
	/* a comment between '\' and the line end: the '\' stays */
	EXPECT_RENDER("a\\<* *>\nb", v, "a\\\nb");
	/* the removed line ends still count for messages */
	EXPECT_ERROR("a\\\nb\\\n<TMPL_BREAK>", "t.tmpl:3: TMPL_BREAK outside TMPL_LOOP");
}

static void test_syntax(void)
{
	struct tmpl_vars *v = vars_fresh();
	tmpl_set_var(v, "a", "A");
	tmpl_set_var(v, "my_var", "M");
	tmpl_set_var(v, "x.y-z", "D");
	tmpl_set_var(v, "with space", "S");
	tmpl_set_var(v, "Case", "c");
	EXPECT_RENDER("<tmpl_var name=a><TMPL_Var NAME=a><TMPL_VAR Name=\"a\" FMT=url>", v, "AAA");
	EXPECT_RENDER("<TMPL_VAR name = a /><TMPL_VAR\n\tname\n=\n'a'\n><TMPL_VAR name=a/>", v, "AAA");
	EXPECT_RENDER("<TMPL_VAR name=my_var>|<TMPL_VAR name=x.y-z>|<TMPL_VAR name=\"with space\">", v, "M|D|S");
	/* attribute values (hence names) are case-sensitive */
	EXPECT_RENDER("<TMPL_VAR name=case>|<TMPL_VAR name=Case>", v, "|c");
	EXPECT_RENDER("<TMPL_VAR default='d' fmt=none name=nope>", v, "d");
	EXPECT_RENDER("<TMPL_VAR name=\"it's\" default='say \"hi\"'>", v, "say &quot;hi&quot;");
	EXPECT_RENDER("<TMPL_VAR name=\"a\"fmt=\"url\">", v, "A");
	EXPECT_RENDER("<input value=\"<TMPL_VAR name=a>\">", v, "<input value=\"A\">");
	EXPECT_RENDER("<TMPL_LOOP name=l><TMPL_BREAK/></TMPL_LOOP><TMPL_LOOP name=l><TMPL_CONTINUE /></TMPL_LOOP>", v, "");
	EXPECT_RENDER("<TMPL_IF name=a>y<TMPL_ELSE />n</TMPL_IF >", v, "y");
	/* "<" not followed by a tag is text */
	EXPECT_RENDER("< TMPL_VAR name=a> <TMPLVAR> <TMPL > a<b", v, "< TMPL_VAR name=a> <TMPLVAR> <TMPL > a<b");
	EXPECT_RENDER("", v, "");
}

struct err_case {
	const char *text;
	const char *expect;
};

static const struct err_case err_cases[] = {
	{"<* x", "t.tmpl:1: \"<*\" has no \"*>\""},
	{"a\nb <* c\n*", "t.tmpl:2: \"<*\" has no \"*>\""},
	{"a\n\n<TMPL_IF name=x>", "t.tmpl:3: TMPL_IF has no </TMPL_IF>"},
	{"<TMPL_UNLESS name=x>", "t.tmpl:1: TMPL_UNLESS has no </TMPL_UNLESS>"},
	{"<TMPL_LOOP name=x>\n<TMPL_IF name=y>\n</TMPL_IF>", "t.tmpl:1: TMPL_LOOP has no </TMPL_LOOP>"},
	{"<TMPL_IF name=x>\n<TMPL_LOOP name=y>", "t.tmpl:2: TMPL_LOOP has no </TMPL_LOOP>"},
	{"</TMPL_IF>", "t.tmpl:1: unexpected </TMPL_IF> (no TMPL_IF is open)"},
	{"</TMPL_LOOP>", "t.tmpl:1: unexpected </TMPL_LOOP> (no TMPL_LOOP is open)"},
	{"<TMPL_IF name=a></TMPL_UNLESS>", "t.tmpl:1: unexpected </TMPL_UNLESS> (no TMPL_UNLESS is open)"},
	{"<TMPL_IF name=a>\n<TMPL_LOOP name=b>\n</TMPL_IF>",
	 "t.tmpl:3: unexpected </TMPL_IF>: the TMPL_LOOP of line 2 must be closed first"},
	{"<TMPL_VAR>", "t.tmpl:1: TMPL_VAR has no name= attribute"},
	{"<TMPL_VAR fmt=url>", "t.tmpl:1: TMPL_VAR has no name= attribute"},
	{"<TMPL_IF value=x></TMPL_IF>", "t.tmpl:1: TMPL_IF has no name= attribute"},
	{"<TMPL_UNLESS></TMPL_UNLESS>", "TMPL_UNLESS has no name= attribute"},
	{"<TMPL_LOOP></TMPL_LOOP>", "TMPL_LOOP has no name= attribute"},
	{"<TMPL_INCLUDE>", "TMPL_INCLUDE has no name= attribute"},
	{"<TMPL_IF name=a><TMPL_ELSIF></TMPL_IF>", "TMPL_ELSIF has no name= attribute"},
	{"<TMPL_VAR name=\"\">", "t.tmpl:1: TMPL_VAR has an empty name="},
	{"<TMPL_VAR name=x nmae=y>", "t.tmpl:1: TMPL_VAR: unknown attribute \"nmae\""},
	{"<TMPL_VAR name=x value=y>", "TMPL_VAR: unknown attribute \"value\""},
	{"<TMPL_IF name=x fmt=url></TMPL_IF>", "TMPL_IF: unknown attribute \"fmt\""},
	{"<TMPL_LOOP name=l level=1></TMPL_LOOP>", "TMPL_LOOP: unknown attribute \"level\""},
	{"<TMPL_IF name=x><TMPL_ELSE name=x></TMPL_IF>", "TMPL_ELSE: unknown attribute \"name\""},
	{"<TMPL_IF name=x></TMPL_IF name=x>", "</TMPL_IF>: unknown attribute \"name\""},
	{"<TMPL_VAR name=x name=y>", "TMPL_VAR: duplicate name= attribute"},
	{"<TMPL_VAR name=a b>", "TMPL_VAR: unknown attribute \"b\""},
	{"\n<TMPL_VAR name=x fmt=xml>", "t.tmpl:2: TMPL_VAR: unknown fmt=\"xml\""},
	{"<TMPL_VAR name=x fmt=URL>", "unknown fmt=\"URL\""},
	{"<TMPL_VAR name=x fmt=\"\">", "unknown fmt=\"\""},
	{"<TMPL_LOOP name=l><TMPL_BREAK level=0></TMPL_LOOP>", "t.tmpl:1: TMPL_BREAK: bad level=\"0\""},
	{"<TMPL_LOOP name=l><TMPL_BREAK level=2></TMPL_LOOP>", "TMPL_BREAK: bad level=\"2\" (from 1 to 1"},
	{"<TMPL_LOOP name=l><TMPL_BREAK level=x></TMPL_LOOP>", "bad level=\"x\""},
	{"<TMPL_LOOP name=l><TMPL_BREAK level=1x></TMPL_LOOP>", "bad level=\"1x\""},
	{"<TMPL_LOOP name=l><TMPL_BREAK level=\"\"></TMPL_LOOP>", "bad level=\"\""},
	{"<TMPL_LOOP name=l><TMPL_BREAK level=99999999999999999999999></TMPL_LOOP>", "bad level"},
	{"<TMPL_LOOP name=l><TMPL_CONTINUE level=-1></TMPL_LOOP>", "TMPL_CONTINUE: bad level=\"-1\""},
	{"x\n<TMPL_ELSE>", "t.tmpl:2: TMPL_ELSE outside TMPL_IF"},
	{"<TMPL_ELSIF name=x>", "t.tmpl:1: TMPL_ELSIF outside TMPL_IF"},
	{"<TMPL_LOOP name=b><TMPL_ELSE></TMPL_LOOP>", "TMPL_ELSE outside TMPL_IF"},
	{"<TMPL_IF name=a><TMPL_LOOP name=b><TMPL_ELSE></TMPL_LOOP></TMPL_IF>",
	 "TMPL_ELSE: the TMPL_LOOP of line 1 must be closed first"},
	{"<TMPL_IF name=a><TMPL_ELSE>\n<TMPL_ELSE></TMPL_IF>", "t.tmpl:2: TMPL_ELSE after the TMPL_ELSE of line 1"},
	{"<TMPL_IF name=a><TMPL_ELSE><TMPL_ELSIF name=b></TMPL_IF>", "TMPL_ELSIF after the TMPL_ELSE of line 1"},
	{"<TMPL_UNLESS name=a><TMPL_ELSIF name=b></TMPL_UNLESS>", "TMPL_ELSIF cannot continue the TMPL_UNLESS"},
	{"<TMPL_BREAK>", "t.tmpl:1: TMPL_BREAK outside TMPL_LOOP"},
	{"<TMPL_CONTINUE>", "t.tmpl:1: TMPL_CONTINUE outside TMPL_LOOP"},
	{"<TMPL_LOOP name=a></TMPL_LOOP><TMPL_BREAK>", "TMPL_BREAK outside TMPL_LOOP"},
	{"<TMPL_INCLUDE name=x.tmpl>", "t.tmpl:1: TMPL_INCLUDE \"x.tmpl\": includes are disabled"},
	{"<TMPL_ELSEIF name=x>", "t.tmpl:1: unknown tag <TMPL_ELSEIF>"},
	{"</TMPL_FOO>", "unknown tag </TMPL_FOO>"},
	{"<TMPL_VARname=x>", "unknown tag <TMPL_VARname>"},
	{"</TMPL_VAR>", "</TMPL_VAR> is not a closing tag"},
	{"<TMPL_ELSE/>", "TMPL_ELSE outside TMPL_IF"},
	{"<TMPL_IF name=x/></TMPL_IF>", "TMPL_IF cannot end with \"/>\""},
	{"<TMPL_UNLESS name=x /></TMPL_UNLESS>", "TMPL_UNLESS cannot end with \"/>\""},
	{"<TMPL_LOOP name=x /></TMPL_LOOP>", "TMPL_LOOP cannot end with \"/>\""},
	{"<TMPL_IF name=x></TMPL_IF/>", "</TMPL_IF> cannot end with \"/>\""},
	{"<TMPL_VAR name=x", "t.tmpl:1: TMPL_VAR tag is not closed"},
	{"<TMPL_VAR name=", "TMPL_VAR tag is not closed"},
	{"<TMPL_VAR\nname=x\n", "t.tmpl:1: TMPL_VAR tag is not closed"},
	{"<TMPL_VAR name=\"x>\nfoo\">", "TMPL_VAR: unterminated name= value"},
	{"<TMPL_VAR name='x", "TMPL_VAR: unterminated name= value"},
	{"<TMPL_VAR name=>", "TMPL_VAR: name= has no value"},
	{"<TMPL_VAR name=/>", "TMPL_VAR: name= has no value"},
	{"<TMPL_VAR name>", "TMPL_VAR: attribute name has no \"=\""},
	{"<TMPL_VAR\"x\">", "TMPL_VAR: unexpected '\"' in tag"},
	{"<TMPL_VAR1 name=x>", "TMPL_VAR: unexpected '1' in tag"},
	{"<TMPL_VAR name=x \x01>", "TMPL_VAR: unexpected byte 0x01 in tag"},
	{"<!-- TMPL_VAR name=x >", "unexpected '>' in tag (a tag opened with \"<!--\" ends with \"-->\")"},
	{"<TMPL_VAR name=x -->", "TMPL_VAR: unexpected '-' in tag"},
	{"<TMPL_VAR <* c *> name=x>", "TMPL_VAR: unexpected '<' in tag"},
	{"<TMPL_VAR name=__count__>", "TMPL_VAR: unknown loop variable \"__count__\""},
	{"<TMPL_IF name=__even__></TMPL_IF>", "unknown loop variable \"__even__\""},
	{"<TMPL_LOOP name=__first__></TMPL_LOOP>", "TMPL_LOOP: \"__first__\" is a loop variable, not a loop"},
};

static void test_errors(void)
{
	for (size_t i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++)
		expect_error_at(__LINE__, err_cases[i].text, NULL, err_cases[i].expect);
	/* nesting is bounded (render recursion stays shallow) */
	struct buf b = BUF_INIT;
	for (int i = 0; i < 101; i++)
		buf_puts(&b, "<TMPL_IF name=x>");
	EXPECT_ERROR(b.data, "t.tmpl:1: blocks nested deeper than 100");
	buf_free(&b);
	/* no message buffer: still refused, nothing written */
	CU_ASSERT_PTR_NULL(tmpl_compile_string("t.tmpl", "<TMPL_ELSE>", NULL, NULL, 0));
	char small[8];
	CU_ASSERT_PTR_NULL(tmpl_compile_string("t.tmpl", "<TMPL_ELSE>", NULL, small, sizeof(small)));
	CU_ASSERT_STRING_EQUAL(small, "t.tmpl:");
	CU_ASSERT_PTR_NULL(tmpl_compile_string(NULL, "x", NULL, NULL, 0));
	CU_ASSERT_PTR_NULL(tmpl_compile_string("t.tmpl", NULL, NULL, NULL, 0));
}

/* ------------------------------------------------------------------ */
/* Files: a scratch directory under /tmp.                              */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(path);
}

static void dir_remove(const char *dir)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Writes dir/rel, creating the directories of rel. */
static void file_put(const char *dir, const char *rel, const char *text)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	for (char *s = path + strlen(dir) + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		mkdir(path, 0700);
		*s = '/';
	}
	FILE *f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
}

static char *render_name(const struct tmpl_set *set, const char *name, const struct tmpl_vars *v,
			 struct buf *b)
{
	buf_reset(b);
	int rc = tmpl_render(set, name, v, b);
	CU_ASSERT_EQUAL(rc, 0);
	return b->data != NULL ? b->data : "";
}

static void test_includes(void)
{
	char dir[] = "/tmp/tmpl-inc-XXXXXX";
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	file_put(dir, "layout.tmpl", "<TMPL_INCLUDE name=\"partials/head.tmpl\">|<TMPL_VAR name=body>");
	file_put(dir, "partials/head.tmpl", "head(<TMPL_VAR name=title>)<TMPL_INCLUDE name=\".../sub/x.tmpl\">");
	file_put(dir, "partials/sub/x.tmpl", "x");
	file_put(dir, "partials/row.tmpl", "<TMPL_VAR name=__counter__>=<TMPL_VAR name=v>;");
	file_put(dir, "cyc/a.tmpl", "<TMPL_INCLUDE name=\"cyc/b.tmpl\">");
	file_put(dir, "cyc/b.tmpl", "1\n<TMPL_INCLUDE name=\".../a.tmpl\">");
	file_put(dir, "bad/broken.tmpl", "\n\n<TMPL_IF name=x>");
	file_put(dir, "brk.tmpl", "<TMPL_BREAK>");
	file_put(dir, "loopy.tmpl", "<TMPL_LOOP name=l>[<TMPL_BREAK>]</TMPL_LOOP>");

	struct tmpl_vars *v = vars_fresh();
	tmpl_set_var(v, "title", "T<");
	tmpl_set_var(v, "body", "B");
	struct tmpl_loop *l = tmpl_add_loop(v, "l");
	row_with(l, "v", "a");
	row_with(l, "v", "b");
	char err[512];
	struct buf b = BUF_INIT;

	/* relative to the root, then ".../" relative to the including file */
	struct tmpl_set *set = tmpl_compile_string("page.tmpl",
		"<TMPL_INCLUDE name=\"layout.tmpl\">!<TMPL_LOOP name=l><TMPL_INCLUDE name=\"partials/row.tmpl\">"
		"</TMPL_LOOP><TMPL_INCLUDE name='.../partials/sub/x.tmpl'><TMPL_INCLUDE name=loopy.tmpl>"
		"<TMPL_INCLUDE name=\"layout.tmpl\">", dir, err, sizeof(err));
	if (set == NULL)
		fprintf(stderr, "\n%s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(set);
	CU_ASSERT_STRING_EQUAL(render_name(set, "page.tmpl", v, &b), "head(T&lt;)x|B!1=a;2=b;x[head(T&lt;)x|B");
	CU_ASSERT(tmpl_has(set, "page.tmpl"));
	CU_ASSERT(tmpl_has(set, "partials/head.tmpl"));
	CU_ASSERT_STRING_EQUAL(render_name(set, "partials/head.tmpl", v, &b), "head(T&lt;)x");
	tmpl_set_free(set);

	/* ".../" from a file in a directory names that directory */
	set = tmpl_compile_string("partials/p.tmpl", "<TMPL_INCLUDE name=\".../sub/x.tmpl\">", dir, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(set);
	CU_ASSERT_STRING_EQUAL(render_name(set, "partials/p.tmpl", v, &b), "x");
	tmpl_set_free(set);

	char expect[1024];
	snprintf(expect, sizeof(expect),
		 "%s/cyc/b.tmpl:2: TMPL_INCLUDE: include cycle cyc/a.tmpl -> cyc/b.tmpl -> cyc/a.tmpl", dir);
	EXPECT_ERROR_ROOT("<TMPL_INCLUDE name=\"cyc/a.tmpl\">", dir, expect);
	EXPECT_ERROR_ROOT("x\n<TMPL_INCLUDE name=t.tmpl>", dir, "t.tmpl:2: TMPL_INCLUDE: include cycle t.tmpl -> t.tmpl");
	snprintf(expect, sizeof(expect), "t.tmpl:2: TMPL_INCLUDE \"nope.tmpl\": cannot read %s/nope.tmpl: No such file", dir);
	EXPECT_ERROR_ROOT("\n<TMPL_INCLUDE name=\"nope.tmpl\">", dir, expect);
	EXPECT_ERROR_ROOT("<TMPL_INCLUDE name=\"partials\">", dir, "cannot read");
	snprintf(expect, sizeof(expect), "%s/bad/broken.tmpl:3: TMPL_IF has no </TMPL_IF>", dir);
	EXPECT_ERROR_ROOT("<TMPL_INCLUDE name=\"bad/broken.tmpl\">", dir, expect);
	/* BREAK does not reach through an include */
	snprintf(expect, sizeof(expect), "%s/brk.tmpl:1: TMPL_BREAK outside TMPL_LOOP", dir);
	EXPECT_ERROR_ROOT("<TMPL_LOOP name=l><TMPL_INCLUDE name=brk.tmpl></TMPL_LOOP>", dir, expect);
	/* paths stay under the root */
	EXPECT_ERROR_ROOT("<TMPL_INCLUDE name=\"../etc/passwd\">", dir,
			  "t.tmpl:1: TMPL_INCLUDE \"../etc/passwd\": \".\" and \"..\" components are not allowed");
	EXPECT_ERROR_ROOT("<TMPL_INCLUDE name=\"partials/../layout.tmpl\">", dir, "\"..\" components are not allowed");
	EXPECT_ERROR_ROOT("<TMPL_INCLUDE name=\".../../x.tmpl\">", dir, "\"..\" components are not allowed");
	EXPECT_ERROR_ROOT("<TMPL_INCLUDE name=\"./layout.tmpl\">", dir, "\"..\" components are not allowed");
	EXPECT_ERROR_ROOT("<TMPL_INCLUDE name=\"/etc/passwd\">", dir,
			  "TMPL_INCLUDE \"/etc/passwd\": absolute paths are not allowed");
	EXPECT_ERROR_ROOT("<TMPL_INCLUDE name=\"partials//head.tmpl\">", dir, "empty path component");
	EXPECT_ERROR_ROOT("<TMPL_INCLUDE name=\"partials/\">", dir, "empty path component");
	EXPECT_ERROR_ROOT("<TMPL_INCLUDE name=\".../\">", dir, "empty path");

	buf_free(&b);
	dir_remove(dir);
}

static void test_load_dir(void)
{
	char dir[] = "/tmp/tmpl-load-XXXXXX";
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	file_put(dir, "index.tmpl", "<TMPL_INCLUDE name=\"partials/h.tmpl\">index");
	file_put(dir, "booking/agenda.tmpl",
		 "<TMPL_INCLUDE name=\"partials/h.tmpl\"><TMPL_LOOP name=rdv><TMPL_VAR name=at> "
		 "<TMPL_VAR name=who><TMPL_UNLESS name=__last__>, </TMPL_UNLESS></TMPL_LOOP>\n");
	file_put(dir, "partials/h.tmpl", "<h1><TMPL_VAR name=title></h1>");
	file_put(dir, "partials/notes.txt", "<TMPL_IF name=not a template");
	file_put(dir, "README.md", "<TMPL_ELSE>");
	file_put(dir, ".hidden.tmpl", "<TMPL_ELSE>");
	file_put(dir, ".git/x.tmpl", "<TMPL_ELSE>");
	char err[512];
	struct tmpl_set *set = tmpl_load_dir(dir, err, sizeof(err));
	if (set == NULL)
		fprintf(stderr, "\n%s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(set);
	CU_ASSERT_STRING_EQUAL(err, "");
	CU_ASSERT(tmpl_has(set, "index.tmpl"));
	CU_ASSERT(tmpl_has(set, "booking/agenda.tmpl"));
	CU_ASSERT(tmpl_has(set, "partials/h.tmpl"));
	CU_ASSERT(!tmpl_has(set, "partials/notes.txt"));
	CU_ASSERT(!tmpl_has(set, "README.md"));
	CU_ASSERT(!tmpl_has(set, ".hidden.tmpl"));
	CU_ASSERT(!tmpl_has(set, "agenda.tmpl"));
	CU_ASSERT(!tmpl_has(set, NULL));
	CU_ASSERT(!tmpl_has(NULL, "index.tmpl"));

	struct tmpl_vars *v = vars_fresh();
	tmpl_set_var(v, "title", "Agenda & co");
	struct tmpl_loop *rdv = tmpl_add_loop(v, "rdv");
	struct tmpl_vars *r = row_with(rdv, "at", "09:00");
	tmpl_set_var(r, "who", "Alice");
	r = row_with(rdv, "at", "09:30");
	tmpl_set_var(r, "who", "Bob");
	struct buf b = BUF_INIT;
	buf_puts(&b, "Status: 200\r\n\r\n");
	/* render appends to what the buffer holds */
	CU_ASSERT_EQUAL(tmpl_render(set, "booking/agenda.tmpl", v, &b), 0);
	CU_ASSERT_STRING_EQUAL(b.data, "Status: 200\r\n\r\n<h1>Agenda &amp; co</h1>09:00 Alice, 09:30 Bob\n");
	CU_ASSERT_STRING_EQUAL(render_name(set, "index.tmpl", v, &b), "<h1>Agenda &amp; co</h1>index");
	buf_reset(&b);
	CU_ASSERT_EQUAL(tmpl_render(set, "nope.tmpl", v, &b), RDV_ENOTFOUND);
	CU_ASSERT_EQUAL(tmpl_render(set, "partials", v, &b), RDV_ENOTFOUND);
	CU_ASSERT_EQUAL(b.len, 0);
	tmpl_set_free(set);

	/* one bad file anywhere fails the whole load, naming root/file:line */
	file_put(dir, "booking/x.tmpl", "\n\n\n\n\n\n\n\n\n\n\n<TMPL_IF name=x>\n");
	char expect[1024];
	snprintf(expect, sizeof(expect), "%s/booking/x.tmpl:12: TMPL_IF has no </TMPL_IF>", dir);
	CU_ASSERT_PTR_NULL(tmpl_load_dir(dir, err, sizeof(err)));
	CU_ASSERT_STRING_EQUAL(err, expect);
	char slashed[512];
	snprintf(slashed, sizeof(slashed), "%s/", dir);
	CU_ASSERT_PTR_NULL(tmpl_load_dir(slashed, err, sizeof(err)));
	CU_ASSERT_STRING_EQUAL(err, expect);
	/* a bad include is reported at the including tag */
	snprintf(expect, sizeof(expect), "%s/booking/x.tmpl", dir);
	unlink(expect);
	file_put(dir, "mail/m.tmpl", "\n<TMPL_INCLUDE name=\"partials/missing.tmpl\">");
	CU_ASSERT_PTR_NULL(tmpl_load_dir(dir, err, sizeof(err)));
	snprintf(expect, sizeof(expect), "%s/mail/m.tmpl:2: TMPL_INCLUDE \"partials/missing.tmpl\": cannot read", dir);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, expect));

	snprintf(expect, sizeof(expect), "%s/does-not-exist", dir);
	CU_ASSERT_PTR_NULL(tmpl_load_dir(expect, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "cannot read directory"));
	CU_ASSERT_PTR_NULL(tmpl_load_dir(NULL, err, sizeof(err)));
	tmpl_set_free(NULL);
	buf_free(&b);
	dir_remove(dir);
}

/* ------------------------------------------------------------------ */

static void test_vars_api(void)
{
	struct tmpl_vars *v = vars_fresh();
	CU_ASSERT_EQUAL(tmpl_set_var(v, "a", "1"), 0);
	CU_ASSERT_EQUAL(tmpl_set_var(v, "a", "2"), 0); /* override */
	CU_ASSERT_STRING_EQUAL(tmpl_get_var(v, "a"), "2");
	CU_ASSERT_EQUAL(tmpl_set_var(v, "a", NULL), 0); /* absent */
	CU_ASSERT_PTR_NULL(tmpl_get_var(v, "a"));
	CU_ASSERT_EQUAL(tmpl_set_var(v, "never", NULL), 0);
	CU_ASSERT_EQUAL(tmpl_set_int(v, "n", -42), 0);
	CU_ASSERT_EQUAL(tmpl_set_int(v, "big", 9223372036854775807LL), 0);
	CU_ASSERT_EQUAL(tmpl_set_varf(v, "f", "%s-%03d", "x", 7), 0);
	CU_ASSERT_EQUAL(tmpl_set_bool(v, "t", 42), 0);
	CU_ASSERT_EQUAL(tmpl_set_bool(v, "t2", 1), 0);
	CU_ASSERT_EQUAL(tmpl_set_bool(v, "t2", 0), 0);
	CU_ASSERT_EQUAL(tmpl_set_var(NULL, "x", "y"), RDV_EINVAL);
	CU_ASSERT_EQUAL(tmpl_set_var(v, NULL, "y"), RDV_EINVAL);
	CU_ASSERT_EQUAL(tmpl_set_var(v, "", "y"), RDV_EINVAL);
	CU_ASSERT_PTR_NULL(tmpl_add_loop(v, ""));
	CU_ASSERT_PTR_NULL(tmpl_add_loop(NULL, "x"));
	CU_ASSERT_PTR_NULL(tmpl_loop_add_row(NULL));
	CU_ASSERT_PTR_NULL(tmpl_vars_new(NULL));
	EXPECT_RENDER("<TMPL_VAR name=n>|<TMPL_VAR name=big>|<TMPL_VAR name=f>|<TMPL_VAR name=t>|"
		      "<TMPL_IF name=t2>x<TMPL_ELSE>no</TMPL_IF>|<TMPL_VAR name=a default=gone>", v,
		      "-42|9223372036854775807|x-007|1|no|gone");

	/* values are copied: the caller's buffer may change afterwards */
	char tmp[8] = "abc";
	tmpl_set_var(v, "copy", tmp);
	tmp[0] = 'X';
	CU_ASSERT_STRING_EQUAL(tmpl_get_var(v, "copy"), "abc");

	/* tmpl_add_loop returns the existing loop */
	struct tmpl_loop *l1 = tmpl_add_loop(v, "l");
	CU_ASSERT_PTR_EQUAL(tmpl_add_loop(v, "l"), l1);
	tmpl_loop_add_row(l1);
	CU_ASSERT_EQUAL(tmpl_loop_rows(tmpl_add_loop(v, "l")), 1);
	CU_ASSERT_EQUAL(tmpl_loop_rows(NULL), 0);

	/* an absent value in a row lets the outer value through */
	tmpl_set_var(v, "who", "outer");
	struct tmpl_vars *r = tmpl_loop_add_row(tmpl_add_loop(v, "m"));
	tmpl_set_var(r, "who", "inner");
	tmpl_set_var(r, "who", NULL);
	EXPECT_RENDER("<TMPL_LOOP name=m><TMPL_VAR name=who></TMPL_LOOP>", v, "outer");
}

/* Rows of ~40 names switch to the hash index: check lookups, overrides and
 * loops through the switch and the regrowths after it. */
static void test_vars_many(void)
{
	struct tmpl_vars *v = vars_fresh();
	struct buf tpl = BUF_INIT, want = BUF_INIT;
	for (int i = 0; i < 100; i++) {
		char name[16];
		snprintf(name, sizeof(name), "v%d", i);
		CU_ASSERT_EQUAL(tmpl_set_int(v, name, i * 3), 0);
		if (i % 10 == 5) {
			snprintf(name, sizeof(name), "l%d", i);
			row_with(tmpl_add_loop(v, name), "x", name);
		}
		/* every name set so far is still found */
		for (int k = 0; k <= i; k++) {
			snprintf(name, sizeof(name), "v%d", k);
			const char *got = tmpl_get_var(v, name);
			if (got == NULL || atoi(got) != k * 3) {
				CU_FAIL("lookup after insertion");
				break;
			}
		}
		buf_printf(&tpl, "<TMPL_VAR name=v%d>,", i);
		buf_printf(&want, "%d,", i % 7 == 0 ? -i : i * 3);
	}
	for (int i = 0; i < 100; i += 7) {
		char name[16];
		snprintf(name, sizeof(name), "v%d", i);
		CU_ASSERT_EQUAL(tmpl_set_int(v, name, -i), 0);
	}
	buf_puts(&tpl, "<TMPL_LOOP name=l95><TMPL_VAR name=x></TMPL_LOOP><TMPL_IF name=l5>L5</TMPL_IF>"
		       "<TMPL_VAR name=l5><TMPL_VAR name=v100>");
	buf_puts(&want, "l95L5");
	EXPECT_RENDER(tpl.data, v, want.data);
	CU_ASSERT_PTR_NULL(tmpl_get_var(v, "l5")); /* a loop, not a variable */
	buf_free(&tpl);
	buf_free(&want);
}

/* ------------------------------------------------------------------ */

struct thread_job {
	const struct tmpl_set *set;
	const char *expect;
	int failures;
};

static void *thread_render(void *arg)
{
	struct thread_job *job = arg;
	struct arena *a = arena_new(4096);
	struct buf b = BUF_INIT;
	for (int i = 0; i < 300 && a != NULL; i++) {
		arena_reset(a);
		struct tmpl_vars *v = tmpl_vars_new(a);
		tmpl_set_var(v, "t", "<x>");
		struct tmpl_loop *l = tmpl_add_loop(v, "l");
		for (int k = 0; k < 5; k++)
			tmpl_set_int(tmpl_loop_add_row(l), "k", k);
		buf_reset(&b);
		if (tmpl_render(job->set, "t.tmpl", v, &b) != 0 || strcmp(b.data, job->expect) != 0)
			job->failures++;
	}
	buf_free(&b);
	arena_free(a);
	return NULL;
}

static void test_threads(void)
{
	char err[256];
	struct tmpl_set *set = tmpl_compile_string("t.tmpl",
		"<TMPL_VAR name=t>:<TMPL_LOOP name=l><TMPL_VAR name=__counter__>=<TMPL_VAR name=k>"
		"<TMPL_UNLESS name=__last__>,</TMPL_UNLESS></TMPL_LOOP>", NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(set);
	struct thread_job jobs[4];
	pthread_t th[4];
	for (int i = 0; i < 4; i++) {
		jobs[i] = (struct thread_job){set, "&lt;x&gt;:1=0,2=1,3=2,4=3,5=4", 0};
		CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL, thread_render, &jobs[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		CU_ASSERT_EQUAL(jobs[i].failures, 0);
	}
	tmpl_set_free(set);
}

/* ------------------------------------------------------------------ */
/* Golden cases: tests/tmpl/NAME.tmpl (+ NAME.vars) -> NAME.out | NAME.err */

static char *slurp(const char *path, int *missing)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		if (missing != NULL)
			*missing = errno == ENOENT;
		return NULL;
	}
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	if (b.data == NULL)
		buf_append(&b, "", 0);
	return b.data; /* malloc'd by buf */
}

/* The .vars format (templates/README.md): "name=value" sets a variable
 * (value = rest of the line, verbatim), "name{" starts a new row of loop
 * name and "}" ends it, "name{}" adds an empty row, "name[]" declares a loop
 * with no rows; blank lines and lines starting with '#' are ignored;
 * leading blanks (indentation) are ignored. */
static int vars_parse(char *text, struct tmpl_vars *root, char *why, size_t whylen)
{
	struct tmpl_vars *stack[32];
	int depth = 0, lineno = 0;
	stack[0] = root;
	for (char *line = text, *next; line != NULL && *line != '\0'; line = next) {
		lineno++;
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		size_t n = strlen(line);
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		while (*line == ' ' || *line == '\t')
			line++, n--;
		char *eq = strchr(line, '=');
		if (n == 0 || line[0] == '#')
			continue;
		if (eq != NULL) {
			*eq = '\0';
			if (tmpl_set_var(stack[depth], line, eq + 1) != 0)
				goto bad;
		} else if (strcmp(line, "}") == 0) {
			if (depth == 0)
				goto bad;
			depth--;
		} else if (n > 2 && strcmp(line + n - 2, "[]") == 0) {
			line[n - 2] = '\0';
			if (tmpl_add_loop(stack[depth], line) == NULL)
				goto bad;
		} else if (n > 2 && strcmp(line + n - 2, "{}") == 0) {
			line[n - 2] = '\0';
			if (tmpl_loop_add_row(tmpl_add_loop(stack[depth], line)) == NULL)
				goto bad;
		} else if (n > 1 && line[n - 1] == '{' && depth + 1 < 32) {
			line[n - 1] = '\0';
			struct tmpl_vars *row = tmpl_loop_add_row(tmpl_add_loop(stack[depth], line));
			if (row == NULL)
				goto bad;
			stack[++depth] = row;
		} else {
			goto bad;
		}
	}
	if (depth == 0)
		return 0;
	snprintf(why, whylen, "unclosed loop row at end of file");
	return -1;
bad:
	snprintf(why, whylen, "line %d: bad line", lineno);
	return -1;
}

/* Returns 1 if the case passed; prints why not otherwise. */
static int golden_case(const char *base)
{
	char path[512], why[2048] = "", err[512] = "";
	snprintf(path, sizeof(path), GOLDEN_DIR "/%s.tmpl", base);
	char *text = slurp(path, NULL);
	snprintf(path, sizeof(path), GOLDEN_DIR "/%s.vars", base);
	char *vars_text = slurp(path, NULL);
	snprintf(path, sizeof(path), GOLDEN_DIR "/%s.out", base);
	char *out = slurp(path, NULL);
	snprintf(path, sizeof(path), GOLDEN_DIR "/%s.err", base);
	char *expect_err = slurp(path, NULL);
	int ok = 0;
	struct tmpl_vars *v = vars_fresh();
	struct buf b = BUF_INIT;
	snprintf(path, sizeof(path), "%s.tmpl", base);
	if (text == NULL || (out == NULL) == (expect_err == NULL)) {
		snprintf(why, sizeof(why), "needs NAME.tmpl and exactly one of NAME.out, NAME.err");
	} else if (vars_text != NULL && vars_parse(vars_text, v, why, sizeof(why)) != 0) {
		/* why is set */
	} else {
		struct tmpl_set *set = tmpl_compile_string(path, text, GOLDEN_DIR, err, sizeof(err));
		if (expect_err != NULL) {
			expect_err[strcspn(expect_err, "\r\n")] = '\0';
			if (set != NULL)
				snprintf(why, sizeof(why), "compiled, expected error [%s]", expect_err);
			else if (strstr(err, expect_err) == NULL)
				snprintf(why, sizeof(why), "error [%s], expected [%s]", err, expect_err);
			else
				ok = 1;
		} else if (set == NULL) {
			snprintf(why, sizeof(why), "compile error: %s", err);
		} else if (tmpl_render(set, path, v, &b) != 0) {
			snprintf(why, sizeof(why), "render failed");
		} else if (strcmp(b.data != NULL ? b.data : "", out) != 0) {
			fprintf(stderr, "\n--- %s.out (expected)\n%s--- rendered\n%s---\n", base, out,
				b.data != NULL ? b.data : "");
			snprintf(why, sizeof(why), "output differs");
		} else {
			ok = 1;
		}
		tmpl_set_free(set);
	}
	if (!ok)
		fprintf(stderr, "\ngolden case %s: %s\n", base, why);
	buf_free(&b);
	free(text);
	free(vars_text);
	free(out);
	free(expect_err);
	return ok;
}

static int is_case(const struct dirent *d)
{
	size_t n = strlen(d->d_name);
	return n > 5 && d->d_name[0] != '.' && strcmp(d->d_name + n - 5, ".tmpl") == 0;
}

static void test_golden(void)
{
	struct dirent **list;
	int n = scandir(GOLDEN_DIR, &list, is_case, alphasort);
	if (n < 0)
		fprintf(stderr, "\n" GOLDEN_DIR ": %s (run from the repository root)\n", strerror(errno));
	CU_ASSERT_FATAL(n >= 0);
	int passed = 0, outs = 0;
	for (int i = 0; i < n; i++) {
		char base[256];
		snprintf(base, sizeof(base), "%.*s", (int)strlen(list[i]->d_name) - 5, list[i]->d_name);
		char path[512];
		snprintf(path, sizeof(path), GOLDEN_DIR "/%s.out", base);
		outs += access(path, F_OK) == 0;
		passed += golden_case(base);
		free(list[i]);
	}
	free(list);
	CU_ASSERT_EQUAL(passed, n);
	CU_ASSERT(outs >= 12);
	CU_ASSERT(n - outs >= 12);
}

void register_tmpl_suite(void)
{
	CU_pSuite s = CU_add_suite("tmpl", suite_init, suite_clean);
	CU_add_test(s, "HTML escaping by default", test_escape_default);
	CU_add_test(s, "fmt=url/js/json/none/entity", test_fmt);
	CU_add_test(s, "default= with missing and empty values", test_default_empty_missing);
	CU_add_test(s, "IF/ELSIF/ELSE/UNLESS and value=", test_conditions);
	CU_add_test(s, "conditions on loops (zero rows is false)", test_conditions_loops);
	CU_add_test(s, "tmpl_set_field_error", test_field_error);
	CU_add_test(s, "nested loops and scope lookup", test_loops_scope);
	CU_add_test(s, "__first__ __last__ __odd__ __counter__", test_loop_vars);
	CU_add_test(s, "BREAK and CONTINUE with level=", test_break_continue);
	CU_add_test(s, "comments", test_comments);
	CU_add_test(s, "camouflaged tags", test_camouflage);
	CU_add_test(s, "backslash line continuation", test_continuation);
	CU_add_test(s, "case, quotes, spaces, />", test_syntax);
	CU_add_test(s, "malformed templates fail with file:line", test_errors);
	CU_add_test(s, "includes: root, .../, cycles, missing, ..", test_includes);
	CU_add_test(s, "tmpl_load_dir on a temporary tree", test_load_dir);
	CU_add_test(s, "vars API: override, absent, int, bool, printf", test_vars_api);
	CU_add_test(s, "rows with many variables (hash index)", test_vars_many);
	CU_add_test(s, "concurrent renders of one set", test_threads);
	CU_add_test(s, "golden cases in tests/tmpl", test_golden);
}
