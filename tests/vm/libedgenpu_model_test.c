// SPDX-License-Identifier: MIT
/*
 * libedgenpu models and buffers on the real device (in the VM): several
 * inferences in flight, their sync_file, the in-flight limit, NPU results
 * equal to the CPU backend's, dma-buf export/import and udmabuf import,
 * and a model with state (SVDF) carried across inferences.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/udmabuf.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <edgenpu/edgenpu.h>

#include "edgenpu_hw.h"
#include "kselftest_harness.h"
#include "../host/alt_graph.h"
#include "../host/svdf_graph.h"
#include "../host/fused_graph.h"

#define MODEL "/usr/share/edgenpu/models/person_detect.tflite"
#define INFLIGHT 4

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

FIXTURE(pd) {
	struct enpu_device *dev;
	struct enpu_graph *g;
	struct enpu_model *npu, *cpu;
	struct enpu_tensor_info in, out;
};

FIXTURE_SETUP(pd)
{
	struct enpu_compile_options opt = { .size = sizeof(opt), .max_inflight = INFLIGHT };

	if (access(MODEL, R_OK))
		SKIP(return, "%s not available (shared/models absent)", MODEL);
	ASSERT_EQ(0, enpu_open(&self->dev, NULL)) TH_LOG("%s", enpu_last_error());
	ASSERT_EQ(0, enpu_model_load_tflite(MODEL, &self->g)) TH_LOG("%s", enpu_last_error());
	ASSERT_EQ(0, enpu_model_compile(self->dev, self->g, &opt, &self->npu))
		TH_LOG("%s", enpu_last_error());
	ASSERT_EQ(0, enpu_model_compile(NULL, self->g, NULL, &self->cpu));
	ASSERT_EQ(0, enpu_model_input_info(self->npu, 0, &self->in));
	ASSERT_EQ(0, enpu_model_output_info(self->npu, 0, &self->out));
}

FIXTURE_TEARDOWN(pd)
{
	enpu_model_destroy(self->npu);
	enpu_model_destroy(self->cpu);
	enpu_graph_destroy(self->g);
	enpu_close(self->dev);
}

/* Four inferences in flight, pipelined; each equals the CPU backend's. */
TEST_F(pd, pipelined_inferences)
{
	int8_t in[INFLIGHT][96 * 96], got[INFLIGHT][16], want[16];
	struct enpu_run *runs[INFLIGHT], *extra;
	struct enpu_profile prof = { .size = sizeof(prof) };
	uint64_t seed = 7;
	const void *ins[1];
	void *outs[1];
	struct pollfd p;
	int i, k, fd;

	ASSERT_EQ(96 * 96, self->in.bytes);
	for (i = 0; i < INFLIGHT; i++) {
		for (k = 0; k < 96 * 96; k++)
			in[i][k] = (int8_t)(splitmix64(&seed) >> 56);
		ins[0] = in[i];
		ASSERT_EQ(0, enpu_model_submit(self->npu, ins, &runs[i]))
			TH_LOG("%s", enpu_last_error());
	}
	ins[0] = in[0];
	EXPECT_EQ(-EBUSY, enpu_model_submit(self->npu, ins, &extra));

	ASSERT_EQ(0, enpu_run_sync_file(runs[INFLIGHT - 1], &fd)) TH_LOG("%s", enpu_last_error());
	p.fd = fd;
	p.events = POLLIN;
	EXPECT_EQ(1, poll(&p, 1, 10000));
	close(fd);

	for (i = 0; i < INFLIGHT; i++) {
		outs[0] = got[i];
		ASSERT_EQ(0, enpu_run_wait(runs[i], 10ll * 1000000000, outs, &prof))
			TH_LOG("%s", enpu_last_error());
		EXPECT_EQ(1, prof.submits);
		EXPECT_GE(3, prof.ioctls);
		EXPECT_LT(0, prof.device_cycles);
		EXPECT_EQ(7157888, prof.macs);
		enpu_run_release(runs[i]);
	}
	for (i = 0; i < INFLIGHT; i++) {
		ins[0] = in[i];
		outs[0] = want;
		ASSERT_EQ(0, enpu_model_run(self->cpu, ins, outs, NULL));
		EXPECT_EQ(0, memcmp(want, got[i], self->out.bytes)) TH_LOG("run %d", i);
	}
	/* the slots are free again */
	ins[0] = in[0];
	ASSERT_EQ(0, enpu_model_submit(self->npu, ins, &extra));
	enpu_run_release(extra);
}

TEST_F(pd, released_unwaited_runs_do_not_leak_slots)
{
	struct enpu_run *run;
	int8_t in[96 * 96] = { 0 };
	const void *ins[1] = { in };
	int round, i;

	for (round = 0; round < 3; round++) {
		for (i = 0; i < INFLIGHT; i++) {
			ASSERT_EQ(0, enpu_model_submit(self->npu, ins, &run))
				TH_LOG("round %d run %d: %s", round, i, enpu_last_error());
			enpu_run_release(run);
		}
	}
}

TEST(buffer_export_import)
{
	struct enpu_device *a, *b;
	struct enpu_buffer *ba, *bb;
	uint8_t *pa, *pb;
	int fd;

	ASSERT_EQ(0, enpu_open(&a, NULL));
	ASSERT_EQ(0, enpu_open(&b, NULL));
	ASSERT_EQ(0, enpu_buffer_alloc(a, 8192, 0, &ba)) TH_LOG("%s", enpu_last_error());
	EXPECT_EQ(8192, enpu_buffer_size(ba));
	EXPECT_NE(0, enpu_buffer_npu_address(ba));
	ASSERT_EQ(0, enpu_buffer_export(ba, &fd));
	ASSERT_EQ(0, enpu_buffer_import(b, fd, ENPU_BUFFER_NPU_READ_ONLY, &bb))
		TH_LOG("%s", enpu_last_error());
	close(fd);
	ASSERT_EQ(0, enpu_buffer_map(ba, (void **)&pa));
	ASSERT_EQ(0, enpu_buffer_map(bb, (void **)&pb));
	pa[0] = 0x42;
	pa[8191] = 0x24;
	EXPECT_EQ(0x42, pb[0]);
	EXPECT_EQ(0x24, pb[8191]);
	EXPECT_EQ(0, enpu_buffer_wait(bb, 0));
	enpu_buffer_free(bb);
	enpu_buffer_free(ba);
	EXPECT_EQ(-EINVAL, enpu_buffer_import(a, 0, 0, &bb));
	EXPECT_EQ(-EINVAL, enpu_buffer_alloc(a, 0, 0, &ba));
	EXPECT_EQ(-EINVAL, enpu_buffer_alloc(a, 4096, 0x80, &ba));
	enpu_close(b);
	enpu_close(a);
}

TEST(udmabuf_import)
{
	struct udmabuf_create c = { .flags = UDMABUF_FLAGS_CLOEXEC, .size = 16384 };
	struct enpu_device *dev;
	struct enpu_buffer *buf;
	uint8_t *mem, *view;
	int memfd, ud, dbuf;

	ud = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (ud < 0)
		SKIP(return, "/dev/udmabuf: %s", strerror(errno));
	memfd = memfd_create("enpu", MFD_ALLOW_SEALING);
	ASSERT_LE(0, memfd);
	ASSERT_EQ(0, ftruncate(memfd, 16384));
	ASSERT_EQ(0, fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK));
	mem = mmap(NULL, 16384, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	ASSERT_NE(MAP_FAILED, mem);
	mem[100] = 0x77;
	c.memfd = memfd;
	dbuf = ioctl(ud, UDMABUF_CREATE, &c);
	ASSERT_LE(0, dbuf) TH_LOG("UDMABUF_CREATE: %s", strerror(errno));
	ASSERT_EQ(0, enpu_open(&dev, NULL));
	ASSERT_EQ(0, enpu_buffer_import(dev, dbuf, ENPU_BUFFER_NPU_READ_ONLY, &buf))
		TH_LOG("%s", enpu_last_error());
	EXPECT_EQ(16384, enpu_buffer_size(buf));
	EXPECT_NE(0, enpu_buffer_npu_address(buf));
	ASSERT_EQ(0, enpu_buffer_map(buf, (void **)&view));
	EXPECT_EQ(0x77, view[100]);
	enpu_buffer_free(buf);
	enpu_close(dev);
	close(dbuf);
	munmap(mem, 16384);
	close(memfd);
	close(ud);
}

/*
 * Layers alternating NPU, CPU, NPU, CPU, NPU, CPU (tests/host/alt_graph.h):
 * three device jobs with CPU steps between them give the CPU backend's
 * bits, for several inputs.
 */
TEST(alternating_npu_cpu_layers_bit_exact)
{
	struct enpu_profile prof = { .size = sizeof(prof) };
	struct enpu_model *npu = NULL, *cpu = NULL;
	uint8_t in[ALT_IN_BYTES], want[ALT_OUT_BYTES], got[ALT_OUT_BYTES];
	struct enpu_layer_info li;
	struct enpu_device *dev;
	struct enpu_graph *g;
	const void *ins[] = { in };
	void *w[] = { want }, *o[] = { got };
	uint32_t seed;
	size_t i;

	ASSERT_EQ(0, enpu_open(&dev, NULL)) TH_LOG("%s", enpu_last_error());
	ASSERT_EQ(0, alt_graph(&g)) TH_LOG("%s", enpu_last_error());
	ASSERT_EQ(0, enpu_model_compile(dev, g, NULL, &npu)) TH_LOG("%s", enpu_last_error());
	ASSERT_EQ(0, enpu_model_compile(NULL, g, NULL, &cpu)) TH_LOG("%s", enpu_last_error());
	for (i = 0; i < enpu_model_num_layers(npu); i++) {
		ASSERT_EQ(0, enpu_model_layer_info(npu, i, &li));
		EXPECT_EQ(!(i % 2), li.on_npu) TH_LOG("layer %zu", i);
	}
	for (seed = 1; seed <= 4; seed++) {
		alt_input(in, seed);
		ASSERT_EQ(0, enpu_model_run(cpu, ins, w, NULL)) TH_LOG("%s", enpu_last_error());
		ASSERT_EQ(0, enpu_model_run(npu, ins, o, &prof)) TH_LOG("%s", enpu_last_error());
		EXPECT_EQ(0, memcmp(want, got, sizeof(got))) TH_LOG("input %u", seed);
		EXPECT_EQ(3, prof.submits) TH_LOG("input %u", seed);
	}
	enpu_model_destroy(npu);
	enpu_model_destroy(cpu);
	enpu_graph_destroy(g);
	enpu_close(dev);
}

/*
 * FC (NPU) -> SVDF (CPU, its state a variable) -> FC (NPU): a stream of
 * inferences on the device gives the CPU backend's bits at every step; the
 * model runs one inference at a time and its state cannot be touched while
 * one is in flight; a pool refuses it.
 */
TEST(stateful_model_stream)
{
	struct enpu_model *npu = NULL, *cpu = NULL;
	struct enpu_device *dev;
	struct enpu_graph *g;
	struct enpu_run *run = NULL, *second = NULL;
	struct enpu_pool *pool = NULL;
	int8_t in[SVDF_IN_BYTES], want[SVDF_OUT_BYTES], got[SVDF_OUT_BYTES];
	int16_t state[40];
	const void *ins[] = { in };
	void *w[] = { want }, *o[] = { got };
	const char *path = "/tmp/svdf_stream.enpu";
	uint32_t k;

	ASSERT_EQ(0, enpu_open(&dev, NULL)) TH_LOG("%s", enpu_last_error());
	ASSERT_EQ(0, svdf_graph(&g)) TH_LOG("%s", enpu_last_error());
	ASSERT_EQ(0, enpu_model_compile(dev, g, NULL, &npu)) TH_LOG("%s", enpu_last_error());
	ASSERT_EQ(0, enpu_model_compile(NULL, g, NULL, &cpu)) TH_LOG("%s", enpu_last_error());
	ASSERT_EQ(1, enpu_model_num_variables(npu));
	for (k = 0; k < 12; k++) {
		svdf_input(in, k % 3);
		ASSERT_EQ(0, enpu_model_run(cpu, ins, w, NULL)) TH_LOG("%s", enpu_last_error());
		ASSERT_EQ(0, enpu_model_run(npu, ins, o, NULL)) TH_LOG("%s", enpu_last_error());
		EXPECT_EQ(0, memcmp(want, got, sizeof(got))) TH_LOG("inference %u", k);
	}
	/* one in flight at a time; the state is not touched under it */
	ASSERT_EQ(0, enpu_model_submit(npu, ins, &run)) TH_LOG("%s", enpu_last_error());
	EXPECT_EQ(-EBUSY, enpu_model_submit(npu, ins, &second));
	EXPECT_EQ(-EBUSY, enpu_model_variable_read(npu, 0, state, sizeof(state)));
	EXPECT_EQ(-EBUSY, enpu_model_reset_variables(npu));
	ASSERT_EQ(0, enpu_run_wait(run, -1, o, NULL)) TH_LOG("%s", enpu_last_error());
	enpu_run_release(run);
	ASSERT_EQ(0, enpu_model_run(cpu, ins, w, NULL));
	EXPECT_EQ(0, memcmp(want, got, sizeof(got)));
	/* reset, both start over alike */
	ASSERT_EQ(0, enpu_model_reset_variables(npu));
	ASSERT_EQ(0, enpu_model_reset_variables(cpu));
	svdf_input(in, 0);
	ASSERT_EQ(0, enpu_model_run(cpu, ins, w, NULL));
	ASSERT_EQ(0, enpu_model_run(npu, ins, o, NULL));
	EXPECT_EQ(0, memcmp(want, got, sizeof(got)));
	/* inferences that depend on each other are not spread over devices */
	ASSERT_EQ(0, enpu_model_save(npu, path)) TH_LOG("%s", enpu_last_error());
	EXPECT_EQ(-EINVAL, enpu_pool_load(&dev, 1, path, NULL, ENPU_POOL_LEAST_LOADED, &pool));
	EXPECT_NE(NULL, strstr(enpu_last_error(), "keeps state across inferences"))
		TH_LOG("%s", enpu_last_error());
	unlink(path);
	enpu_model_destroy(npu);
	enpu_model_destroy(cpu);
	enpu_graph_destroy(g);
	enpu_close(dev);
}

/*
 * CONV_2D -> HARD_SWISH -> DEPTHWISE_CONV_2D -> LOGISTIC -> CONV_2D -> TANH
 * (tests/host/fused_graph.h) on the device: where it reports the fused
 * table (CAPS bit 11), each activation has no command of its own (its
 * estimate 0) and the results are the CPU backend's, in one job.
 */
TEST(tables_fused_on_the_device)
{
	struct enpu_profile prof = { .size = sizeof(prof) };
	struct enpu_model *npu = NULL, *cpu = NULL;
	struct enpu_device_info info;
	int8_t in[FUSED_BYTES], want[FUSED_BYTES], got[FUSED_BYTES];
	const void *ins[] = { in };
	void *w[] = { want }, *o[] = { got };
	struct enpu_layer_info li;
	struct enpu_device *dev;
	struct enpu_graph *g;
	uint32_t seed;
	size_t i;

	ASSERT_EQ(0, enpu_open(&dev, NULL)) TH_LOG("%s", enpu_last_error());
	ASSERT_EQ(0, enpu_query(dev, &info, sizeof(info)));
	if (!(info.hw_caps & ENPU_CAP_FUSED_LUT)) {
		enpu_close(dev);
		SKIP(return, "the device has no fused table (contract 0.6)");
	}
	ASSERT_EQ(0, fused_graph(&g)) TH_LOG("%s", enpu_last_error());
	ASSERT_EQ(0, enpu_model_compile(dev, g, NULL, &npu)) TH_LOG("%s", enpu_last_error());
	ASSERT_EQ(0, enpu_model_compile(NULL, g, NULL, &cpu)) TH_LOG("%s", enpu_last_error());
	for (i = 0; i < enpu_model_num_layers(npu); i++) {
		ASSERT_EQ(0, enpu_model_layer_info(npu, i, &li));
		EXPECT_TRUE(li.on_npu) TH_LOG("layer %zu", i);
		EXPECT_EQ(!(i % 2), li.est_cycles > 0) TH_LOG("layer %zu", i);
	}
	for (seed = 1; seed <= 3; seed++) {
		fused_input(in, seed);
		ASSERT_EQ(0, enpu_model_run(cpu, ins, w, NULL));
		ASSERT_EQ(0, enpu_model_run(npu, ins, o, &prof)) TH_LOG("%s", enpu_last_error());
		EXPECT_EQ(0, memcmp(want, got, sizeof(got))) TH_LOG("input %u", seed);
		EXPECT_EQ(1, prof.submits);
	}
	enpu_model_destroy(npu);
	enpu_model_destroy(cpu);
	enpu_graph_destroy(g);
	enpu_close(dev);
}

TEST_HARNESS_MAIN
