// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of how ftrace writes a callsite with call ops
 * (arch/riscv/kernel/ftrace.c), on callsites that are never run: 16 bytes
 * of NOPs laid out as the compiler lays them out before a function, in
 * module memory of their own, which the tests read back as a hart would
 * decode it.
 */

#include <kunit/test.h>
#include <linux/ftrace.h>
#include <linux/memory.h>
#include <linux/execmem.h>
#include <asm/patch.h>

/* 16 bytes: the ops pointer, then the two instructions at func. */
#define CALLSITE_SIZE	(FTRACE_OPS_PTR_SIZE + MCOUNT_INSN_SIZE)

/*
 * A buffer for callsites at each 8-byte offset of a 4 KiB page, tried one
 * at a time, and the ftrace record of the one being tried.
 */
struct callsite {
	void *buffer;
	struct dyn_ftrace rec;
};

static void callsite_fill_nops(struct callsite *site, unsigned long offset)
{
	u16 *code = site->buffer + offset;

	for (unsigned int i = 0; i < CALLSITE_SIZE / sizeof(u16); i++) {
		/* The compiler's NOPs: c.nop, or halves of the 4-byte nop. */
		if (IS_ENABLED(CONFIG_RISCV_ISA_C))
			code[i] = 0x0001;
		else
			code[i] = i % 2 ? NOP4 >> 16 : NOP4 & 0xffff;
	}
	site->rec = (struct dyn_ftrace) {
		.ip = (unsigned long)site->buffer + offset + FTRACE_OPS_PTR_SIZE,
	};
}

static u32 callsite_insn(const struct callsite *site, unsigned int at)
{
	return *(u32 *)(site->rec.ip + at);
}

static const struct ftrace_ops *callsite_ops(const struct callsite *site)
{
	return *(const struct ftrace_ops **)(site->rec.ip - FTRACE_OPS_PTR_SIZE);
}

/* Where the auipc at func and the jalr at func + 4 jump, decoded; 0 for the nop. */
static unsigned long callsite_target(const struct callsite *site)
{
	u32 auipc = callsite_insn(site, 0), jalr = callsite_insn(site, 4);

	if (jalr == NOP4)
		return 0;
	/* U-type immediate in bits 31:12, I-type in 31:20, both sign-extended. */
	return site->rec.ip + (long)(s32)(auipc & 0xfffff000) + ((s32)jalr >> 20);
}

static int callsite_init(struct kunit *test)
{
	struct callsite *site = kunit_kzalloc(test, sizeof(*site), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, site);
	/* Module text, which the auipc reaches from ftrace_caller, as any callsite's does. */
	site->buffer = execmem_alloc(EXECMEM_MODULE_TEXT, SZ_4K + CALLSITE_SIZE);
	KUNIT_ASSERT_NOT_NULL(test, site->buffer);
	test->priv = site;
	return 0;
}

static void callsite_exit(struct kunit *test)
{
	struct callsite *site = test->priv;

	execmem_free(site->buffer);
}

/* Sets up the callsite at @offset as the kernel does when it boots. */
static void callsite_boot(struct kunit *test, unsigned long offset)
{
	struct callsite *site = test->priv;

	callsite_fill_nops(site, offset);
	KUNIT_ASSERT_EQ(test, ftrace_init_nop(NULL, &site->rec), 0);
	KUNIT_ASSERT_PTR_EQ(test, callsite_ops(site), &ftrace_nop_ops);
	KUNIT_ASSERT_EQ(test, callsite_insn(site, 4), NOP4);
}

/*
 * Each write checks what the jalr slot holds first: a callsite that does
 * not hold what ftrace last wrote there is -EINVAL, and left as it is.
 */
static void ftrace_callsite_checked_test(struct kunit *test)
{
	struct callsite *site = test->priv;
	u32 jalr, junk = 0xffffffff;

	callsite_boot(test, 0);
	mutex_lock(&text_mutex);
	KUNIT_EXPECT_EQ(test, ftrace_make_call(&site->rec, FTRACE_ADDR), 0);
	KUNIT_EXPECT_EQ(test, callsite_target(site), FTRACE_ADDR);
	/* Not a callsite tracing one ops (FTRACE_FL_CALL_OPS_EN): the list ops. */
	KUNIT_EXPECT_PTR_EQ(test, callsite_ops(site), &ftrace_list_ops);
	jalr = callsite_insn(site, 4);

	/* A call made twice: the slot holds a jalr, not the nop. */
	KUNIT_EXPECT_EQ(test, ftrace_make_call(&site->rec, FTRACE_ADDR), -EINVAL);
	KUNIT_EXPECT_EQ(test, callsite_insn(site, 4), jalr);

	/* Anything else in the slot: neither removed nor changed. */
	KUNIT_ASSERT_EQ(test, patch_insn_write((void *)site->rec.ip + 4, &junk, 4), 0);
	KUNIT_EXPECT_EQ(test, ftrace_make_nop(NULL, &site->rec, FTRACE_ADDR), -EINVAL);
	KUNIT_EXPECT_EQ(test, ftrace_modify_call(&site->rec, FTRACE_ADDR, FTRACE_ADDR),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, callsite_insn(site, 4), junk);
	KUNIT_EXPECT_PTR_EQ(test, callsite_ops(site), &ftrace_list_ops);

	KUNIT_ASSERT_EQ(test, patch_insn_write((void *)site->rec.ip + 4, &jalr, 4), 0);
	KUNIT_EXPECT_EQ(test, ftrace_make_nop(NULL, &site->rec, FTRACE_ADDR), 0);
	KUNIT_EXPECT_EQ(test, callsite_insn(site, 4), NOP4);
	KUNIT_EXPECT_PTR_EQ(test, callsite_ops(site), &ftrace_nop_ops);
	mutex_unlock(&text_mutex);
}

#ifdef CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS
/*
 * A call to a direct trampoline jumps to ftrace_caller_direct wherever the
 * jalr reaches it, else to ftrace_caller; and back to ftrace_caller when
 * ftrace calls the ops again. Tried at each 8-byte offset of a 4 KiB page:
 * the reach of all of them ends in every place relative to ftrace_caller.
 */
static void ftrace_callsite_direct_test(struct kunit *test)
{
	unsigned long direct = (unsigned long)ftrace_caller_direct;
	/* Any address but ftrace_caller's means a direct trampoline. */
	unsigned long tramp = (unsigned long)ftrace_stub_direct_tramp;
	struct callsite *site = test->priv;
	unsigned int callsites = SZ_4K / 8, through_caller = 0;

	for (unsigned long offset = 0; offset < callsites * 8; offset += 8) {
		unsigned long target, reach;

		callsite_boot(test, offset);
		/* Where the auipc points, from which the jalr reaches 2 KiB each way. */
		reach = site->rec.ip + (long)(s32)(callsite_insn(site, 0) & 0xfffff000);

		mutex_lock(&text_mutex);
		KUNIT_EXPECT_EQ(test, ftrace_make_call(&site->rec, tramp), 0);
		target = callsite_target(site);
		if (direct - reach + SZ_2K < SZ_4K) {
			KUNIT_EXPECT_EQ_MSG(test, target, direct, "offset %lu", offset);
		} else {
			KUNIT_EXPECT_EQ_MSG(test, target, FTRACE_ADDR, "offset %lu", offset);
			through_caller++;
		}
		KUNIT_EXPECT_EQ(test, ftrace_modify_call(&site->rec, tramp, FTRACE_ADDR), 0);
		KUNIT_EXPECT_EQ(test, callsite_target(site), FTRACE_ADDR);
		KUNIT_EXPECT_EQ(test, ftrace_modify_call(&site->rec, FTRACE_ADDR, tramp), 0);
		KUNIT_EXPECT_EQ(test, callsite_target(site), target);
		KUNIT_EXPECT_EQ(test, ftrace_make_nop(NULL, &site->rec, tramp), 0);
		KUNIT_EXPECT_EQ(test, callsite_insn(site, 4), NOP4);
		mutex_unlock(&text_mutex);
	}
	/* Only those whose reach ends between the two entries miss it. */
	KUNIT_EXPECT_LE(test, through_caller, DIV_ROUND_UP(FTRACE_ADDR - direct, 8));
	kunit_info(test, "%u of %u callsites reach ftrace_caller_direct\n",
		   callsites - through_caller, callsites);
}
#endif

static struct kunit_case ftrace_callsite_cases[] = {
	KUNIT_CASE(ftrace_callsite_checked_test),
#ifdef CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS
	KUNIT_CASE(ftrace_callsite_direct_test),
#endif
	{}
};

static struct kunit_suite ftrace_callsite_suite = {
	.name = "riscv_ftrace_callsite",
	.init = callsite_init,
	.exit = callsite_exit,
	.test_cases = ftrace_callsite_cases,
};

kunit_test_suite(ftrace_callsite_suite);

MODULE_DESCRIPTION("KUnit tests of riscv's ftrace callsite patching");
MODULE_LICENSE("GPL");
