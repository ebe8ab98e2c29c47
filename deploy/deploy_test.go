// Package deploy holds the recipes for running gogh on clusters (slurm/,
// k8s/); its tests run them where this machine can: a one-node Slurm for
// real, the Kubernetes manifests parsed and their command lines run.
package deploy

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/gogh-video/gogh/internal/shared"
)

// TestSlurm runs slurm/test.sh: a one-node Slurm started from Debian's
// packages, a clip painted as 3 array tasks with one killed and
// resubmitted, assembled and compared with one chain. It needs root and
// the packages munge, slurmctld, slurmd and slurm-client (CI installs them).
func TestSlurm(t *testing.T) {
	weights := shared.Weights(t)
	shared.Path(t, "data/video/cockatoo_720p_14s_yuv420.mp4")
	shared.NeedFFmpeg(t)
	var missing []string
	for _, tool := range []string{"munged", "slurmctld", "slurmd", "sbatch", "scancel", "squeue", "scontrol", "sinfo"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	switch {
	case len(missing) > 0 && os.Getenv("CI") != "":
		t.Fatalf("no %s under CI: apt-get install munge slurmctld slurmd slurm-client", strings.Join(missing, ", "))
	case len(missing) > 0:
		t.Skipf("no %s: apt-get install munge slurmctld slurmd slurm-client", strings.Join(missing, ", "))
	case os.Getuid() != 0:
		t.Skip("the Slurm test starts munged and slurmd: it runs as root")
	}
	cmd := exec.Command("slurm/test.sh")
	cmd.Env = append(os.Environ(), "GOGH_WEIGHTS="+weights, "GOGH_SHARED="+shared.Dir(t))
	out, err := cmd.CombinedOutput()
	t.Logf("slurm/test.sh:\n%s", out)
	if err != nil {
		t.Fatalf("slurm/test.sh: %v", err)
	}
}

// manifest reads a Kubernetes manifest strictly into v: a field that the
// type does not have fails.
func manifest(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("k8s", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.UnmarshalStrict(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// TestKubernetesManifests parses the manifests as the API types they are,
// checks what gogh relies on (an Indexed Job whose index and count reach
// --shard, retries per index, a ReadWriteMany volume shared by every pod,
// the weights in the user cache on it), then runs their command lines
// with /data mapped to a temporary dir: the shard starts painting (it is
// stopped then), and assemble reports the frames still missing. No
// cluster runs here.
func TestKubernetesManifests(t *testing.T) {
	var pvc corev1.PersistentVolumeClaim
	manifest(t, "volume.yaml", &pvc)
	if len(pvc.Spec.AccessModes) != 1 || pvc.Spec.AccessModes[0] != corev1.ReadWriteMany {
		t.Errorf("volume.yaml: access modes %v, want ReadWriteMany: shards run on many nodes", pvc.Spec.AccessModes)
	}
	jobs := map[string]*batchv1.Job{}
	for _, name := range []string{"weights.yaml", "shards.yaml", "assemble.yaml"} {
		var j batchv1.Job
		manifest(t, name, &j)
		jobs[name] = &j
		spec := j.Spec.Template.Spec
		if len(spec.Containers) != 1 || spec.RestartPolicy != corev1.RestartPolicyNever {
			t.Fatalf("%s: want one container, restartPolicy Never", name)
		}
		c := spec.Containers[0]
		if len(spec.Volumes) != 1 || spec.Volumes[0].PersistentVolumeClaim == nil || spec.Volumes[0].PersistentVolumeClaim.ClaimName != pvc.Name ||
			len(c.VolumeMounts) != 1 || c.VolumeMounts[0].Name != spec.Volumes[0].Name || c.VolumeMounts[0].MountPath != "/data" {
			t.Errorf("%s: the shared volume %s is not mounted at /data", name, pvc.Name)
		}
		if env(c, "XDG_CACHE_HOME") != "/data/cache" {
			t.Errorf("%s: XDG_CACHE_HOME is not /data/cache: the weights would not be found", name)
		}
	}
	shards := jobs["shards.yaml"]
	s := shards.Spec
	c := s.Template.Spec.Containers[0]
	at := strings.Index(strings.Join(c.Args, " "), "--shard $(JOB_COMPLETION_INDEX)/")
	if s.CompletionMode == nil || *s.CompletionMode != batchv1.IndexedCompletion || s.Completions == nil || s.Parallelism == nil ||
		s.BackoffLimitPerIndex == nil || *s.BackoffLimitPerIndex < 1 || at < 0 {
		t.Fatalf("shards.yaml: want an Indexed Job with completions, parallelism, backoffLimitPerIndex and --shard $(JOB_COMPLETION_INDEX)/N")
	}
	n, _ := strconv.Atoi(strings.Fields(strings.Join(c.Args, " ")[at+len("--shard $(JOB_COMPLETION_INDEX)/"):])[0])
	if n != int(*s.Completions) || n != int(*s.Parallelism) {
		t.Errorf("shards.yaml: --shard K/%d but %d completions, parallelism %d", n, *s.Completions, *s.Parallelism)
	}
	var ref *corev1.ObjectFieldSelector
	for _, e := range c.Env {
		if e.Name == "JOB_COMPLETION_INDEX" && e.ValueFrom != nil {
			ref = e.ValueFrom.FieldRef
		}
	}
	if ref == nil || ref.FieldPath != "metadata.annotations['batch.kubernetes.io/job-completion-index']" {
		t.Errorf("shards.yaml: JOB_COMPLETION_INDEX does not come from the completion-index annotation")
	}

	// The command lines, with /data in a temporary dir.
	shared.NeedFFmpeg(t)
	weights := shared.Weights(t)
	data := t.TempDir()
	for link, target := range map[string]string{"in.mp4": "data/video/cockatoo_720p_14s_yuv420.mp4", "style.jpg": "data/styles/starry_night_vangogh.jpg"} {
		if err := os.Symlink(shared.Path(t, target), filepath.Join(data, link)); err != nil {
			t.Fatal(err)
		}
	}
	gogh := filepath.Join(t.TempDir(), "gogh")
	if out, err := exec.Command("go", "build", "-o", gogh, "../cmd/gogh").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	args := func(name string, index int) []string {
		var a []string
		for _, s := range jobs[name].Spec.Template.Spec.Containers[0].Args {
			s = strings.ReplaceAll(s, "$(JOB_COMPLETION_INDEX)", strconv.Itoa(index))
			a = append(a, strings.ReplaceAll(s, "/data", data))
		}
		return a
	}
	// run runs gogh with a and kills it once until reports true.
	run := func(name string, a []string, until func(out string) bool) string {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, gogh, a...)
		cmd.Env = append(os.Environ(), "GOGH_WEIGHTS="+weights, "XDG_CACHE_HOME="+filepath.Join(data, "cache"))
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		for {
			select {
			case <-done:
				return out.String()
			case <-time.After(50 * time.Millisecond):
				if until != nil && until(out.String()) {
					_ = cmd.Process.Kill()
					<-done
					return out.String()
				}
			}
		}
	}
	if out := run("weights.yaml", append(args("weights.yaml", 0), "--help"), nil); !strings.Contains(out, "gogh weights install") {
		t.Errorf("weights.yaml runs %q, which gogh does not know:\n%s", args("weights.yaml", 0), out)
	}
	// The shard is stopped once it has started painting and has recorded
	// its job, which it does just after printing its first line.
	started := func(out string) bool {
		_, err := os.Stat(filepath.Join(data, "work", "job.json"))
		return strings.Contains(out, "stylizing") && err == nil
	}
	out := run("shards.yaml", args("shards.yaml", 2), started)
	if !strings.Contains(out, "stylizing 280 frames") || !strings.Contains(out, "shard 2/3") {
		t.Errorf("shards.yaml's command did not start painting shard 2/3:\n%s", out)
	}
	out = run("assemble.yaml", args("assemble.yaml", 0), nil)
	if !strings.Contains(out, "shard 0/3 lacks") || strings.Count(strings.TrimSpace(out), "\n") > 0 {
		t.Errorf("assemble.yaml's command did not name the missing shards in one line:\n%s", out)
	}
	t.Logf("assemble before the shards are done: %s", out)
}

// env returns the value of the container's environment variable name.
func env(c corev1.Container, name string) string {
	for _, e := range c.Env {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}
