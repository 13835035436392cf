// Command testbed runs a real kube-apiserver (with embedded etcd), a real
// kube-controller-manager and a small node/pod simulator in one process, for
// Tideline's integration tests. See README.md.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/component-base/version"
	"k8s.io/klog/v2"
)

func kubeletVersion() string { return version.Get().GitVersion }

type readyLine struct {
	Ready            bool     `json:"ready"`
	Kubeconfig       string   `json:"kubeconfig"`
	ViewerKubeconfig string   `json:"viewerKubeconfig"`
	Server           string   `json:"server"`
	PID              int      `json:"pid"`
	Dir              string   `json:"dir"`
	Etcd             string   `json:"etcd"`
	Version          string   `json:"version"`
	Nodes            []string `json:"nodes"`
	StartupMillis    int64    `json:"startupMillis"`
}

func main() {
	os.Exit(run())
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func fail(format string, args ...any) int {
	fmt.Fprintf(os.Stderr, "testbed: "+format+"\n", args...)
	klog.Flush()
	return 1
}

func run() int {
	t0 := time.Now()
	var (
		dir            = flag.String("dir", "", "state directory (certs, etcd data, kubeconfigs, logs); default: a new temporary directory removed on exit")
		port           = flag.Int("port", 0, "kube-apiserver secure port on 127.0.0.1 (0 = pick a free port)")
		etcdPort       = flag.Int("etcd-port", 0, "etcd client port on 127.0.0.1 (0 = pick a free port)")
		etcdPeerPort   = flag.Int("etcd-peer-port", 0, "etcd peer port on 127.0.0.1 (0 = pick a free port)")
		nodes          = flag.Int("nodes", 1, "number of simulated nodes")
		fresh          = flag.Bool("fresh", false, "delete existing etcd data in --dir before starting")
		verbosity      = flag.Int("v", 0, "klog verbosity of the control plane log")
		logFile        = flag.String("log-file", "", "control-plane log file (default <dir>/testbed.log)")
		exitWithParent = flag.Bool("exit-with-parent", false, "shut down (SIGTERM) when the parent process dies (used by scripts/testbed.mjs)")
		readyTimeout   = flag.Duration("ready-timeout", 3*time.Minute, "give up if not ready within this time")
	)
	flag.Parse()

	tempDir := false
	if *dir == "" {
		d, err := os.MkdirTemp("", "tideline-testbed-")
		if err != nil {
			return fail("%v", err)
		}
		*dir, tempDir = d, true
	}
	abs, err := filepath.Abs(*dir)
	if err != nil {
		return fail("%v", err)
	}
	*dir = abs
	if err := os.MkdirAll(*dir, 0o700); err != nil {
		return fail("%v", err)
	}
	if tempDir {
		defer os.RemoveAll(*dir)
	}
	if *fresh {
		_ = os.RemoveAll(filepath.Join(*dir, "etcd"))
	}
	if *logFile == "" {
		*logFile = filepath.Join(*dir, "testbed.log")
	}

	// All control-plane logging goes to the log file; stdout carries only the ready line.
	kfs := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(kfs)
	_ = kfs.Set("logtostderr", "false")
	_ = kfs.Set("alsologtostderr", "false")
	_ = kfs.Set("stderrthreshold", "FATAL")
	_ = kfs.Set("one_output", "true")
	_ = kfs.Set("skip_log_headers", "true")
	_ = kfs.Set("log_file", *logFile)
	_ = kfs.Set("log_file_max_size", "0")
	_ = kfs.Set("v", strconv.Itoa(*verbosity))
	defer klog.Flush()

	// Signals: first one starts a clean shutdown, a second one exits at once.
	// A launcher that died must not kill us mid-shutdown via SIGPIPE on stdout/stderr.
	signal.Ignore(syscall.SIGPIPE)
	sigCh := make(chan os.Signal, 2)
	signal.Notify(sigCh, syscall.SIGINT, syscall.SIGTERM)
	rootCtx, cancelRoot := context.WithCancel(context.Background())
	go func() {
		<-sigCh
		first := time.Now()
		cancelRoot()
		for range sigCh {
			// A terminal's Ctrl-C reaches both a launcher and this process, and the
			// launcher then forwards a SIGTERM: ignore repeats within 2s.
			if time.Since(first) > 2*time.Second {
				fmt.Fprintln(os.Stderr, "testbed: second signal, exiting now")
				os.Exit(130)
			}
		}
	}()
	if *exitWithParent {
		setParentDeathSignal()
	}

	p := newPKI(*dir)
	if err := p.ensure(); err != nil {
		return fail("pki: %v", err)
	}

	// Ports.
	if *etcdPort == 0 {
		if *etcdPort, err = freePort(); err != nil {
			return fail("%v", err)
		}
	}
	if *etcdPeerPort == 0 {
		if *etcdPeerPort, err = freePort(); err != nil {
			return fail("%v", err)
		}
	}
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", *port))
	if err != nil {
		return fail("listen on apiserver port: %v", err)
	}
	apiPort := ln.Addr().(*net.TCPAddr).Port
	server := fmt.Sprintf("https://127.0.0.1:%d", apiPort)

	etcdLevel := "error"
	if *verbosity >= 4 {
		etcdLevel = "info"
	}
	etcd, etcdURL, err := startEtcd(*dir, *etcdPort, *etcdPeerPort, etcdLevel)
	if err != nil {
		ln.Close()
		return fail("%v", err)
	}
	etcdStopped := false
	stopEtcd := func() {
		if !etcdStopped {
			etcdStopped = true
			etcd.Close()
		}
	}
	defer stopEtcd()

	adminKC := filepath.Join(*dir, "kubeconfig")
	viewerKC := filepath.Join(*dir, "viewer.kubeconfig")
	if err := writeKubeconfig(adminKC, server, "tideline-admin", p.caCert, p.adminCert, p.adminKey); err != nil {
		return fail("kubeconfig: %v", err)
	}
	if err := writeKubeconfig(viewerKC, server, "tideline-viewer", p.caCert, p.viewerCert, p.viewerKey); err != nil {
		return fail("kubeconfig: %v", err)
	}

	apiCtx, cancelAPI := context.WithCancel(context.Background())
	defer cancelAPI()
	apiDone, err := startAPIServer(apiCtx, ln, []string{
		"--etcd-servers=" + etcdURL,
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--cert-dir=" + p.dir,
		"--tls-cert-file=" + p.servingCert,
		"--tls-private-key-file=" + p.servingKey,
		"--client-ca-file=" + p.caCert,
		"--service-account-key-file=" + p.saPub,
		"--service-account-signing-key-file=" + p.saKey,
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-cluster-ip-range=10.96.0.0/16",
		"--authorization-mode=RBAC",
		"--endpoint-reconciler-type=none",
		"--enable-priority-and-fairness=false",
		"--allow-privileged=true",
		"--profiling=false",
		"--shutdown-delay-duration=0s",
		"--shutdown-watch-termination-grace-period=0s",
	})
	if err != nil {
		return fail("%v", err)
	}

	cfg, err := clientcmd.BuildConfigFromFlags("", adminKC)
	if err != nil {
		return fail("%v", err)
	}
	cfg.QPS, cfg.Burst = 100, 200
	client, err := kubernetes.NewForConfig(rest.CopyConfig(cfg))
	if err != nil {
		return fail("%v", err)
	}

	shutdown := func(code int) int {
		cancelRoot()
		cancelAPI()
		select {
		case <-apiDone:
		case <-time.After(10 * time.Second):
			klog.Warning("kube-apiserver did not stop within 10s")
		}
		stopEtcd()
		klog.Flush()
		return code
	}

	readyCtx, cancelReady := context.WithTimeout(rootCtx, *readyTimeout)
	defer cancelReady()
	// 1. /readyz of the apiserver.
	if err := waitFor(readyCtx, apiDone, func(ctx context.Context) bool {
		var code int
		client.CoreV1().RESTClient().Get().AbsPath("/readyz").Do(ctx).StatusCode(&code)
		return code == http.StatusOK
	}); err != nil {
		return shutdown(fail("kube-apiserver not ready: %v (see %s)", err, *logFile))
	}

	kcmCtx, cancelKCM := context.WithCancel(rootCtx)
	defer cancelKCM()
	if _, err := startControllerManager(kcmCtx, []string{
		"--kubeconfig=" + adminKC,
		"--leader-elect=false",
		"--secure-port=0",
		"--controllers=" + controllersFlag(),
		"--service-account-private-key-file=" + p.saKey,
		"--root-ca-file=" + p.caCert,
		"--use-service-account-credentials=false",
		"--kube-api-qps=100",
		"--kube-api-burst=200",
		"--controller-start-interval=0s",
		"--concurrent-gc-syncs=5",
		"--profiling=false",
	}); err != nil {
		return shutdown(fail("%v", err))
	}

	sim := newSimulator(client, *nodes)
	if err := sim.registerNodes(readyCtx); err != nil {
		return shutdown(fail("nodes: %v", err))
	}
	simDone := make(chan struct{})
	go func() { defer close(simDone); sim.run(rootCtx, 4) }()

	// 2. The default ServiceAccount exists (controller-manager is working), so pods can be created.
	if err := waitFor(readyCtx, apiDone, func(ctx context.Context) bool {
		_, err := client.CoreV1().ServiceAccounts(metav1.NamespaceDefault).Get(ctx, "default", metav1.GetOptions{})
		return err == nil
	}); err != nil {
		return shutdown(fail("controller-manager not ready: %v (see %s)", err, *logFile))
	}
	// 3. Nodes are Ready.
	if err := waitFor(readyCtx, apiDone, func(ctx context.Context) bool {
		for _, n := range sim.nodes {
			node, err := client.CoreV1().Nodes().Get(ctx, n, metav1.GetOptions{})
			if err != nil || !nodeReady(node) {
				return false
			}
		}
		return true
	}); err != nil {
		return shutdown(fail("nodes not ready: %v", err))
	}

	line, _ := json.Marshal(readyLine{
		Ready: true, Kubeconfig: adminKC, ViewerKubeconfig: viewerKC, Server: server, PID: os.Getpid(),
		Dir: *dir, Etcd: etcdURL, Version: version.Get().GitVersion, Nodes: sim.nodes,
		StartupMillis: time.Since(t0).Milliseconds(),
	})
	fmt.Println(string(line))
	klog.InfoS("testbed ready", "server", server, "startup", time.Since(t0))

	select {
	case <-rootCtx.Done():
	case err := <-apiDone:
		cancelRoot()
		<-simDone
		stopEtcd()
		return fail("kube-apiserver exited: %v", err)
	case err := <-etcd.Err():
		cancelRoot()
		return shutdown(fail("etcd failed: %v", err))
	}
	ts := time.Now()
	cancelKCM()
	select {
	case <-simDone:
	case <-time.After(3 * time.Second):
	}
	code := shutdown(0)
	fmt.Fprintf(os.Stderr, "testbed: stopped in %s\n", time.Since(ts).Round(time.Millisecond))
	return code
}

func nodeReady(n *corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func waitFor(ctx context.Context, apiDone <-chan error, cond func(context.Context) bool) error {
	var apiErr error
	err := wait.PollUntilContextCancel(ctx, 100*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		select {
		case e := <-apiDone:
			apiErr = fmt.Errorf("kube-apiserver exited: %v", e)
			return false, apiErr
		default:
		}
		return cond(ctx), nil
	})
	if apiErr != nil {
		return apiErr
	}
	if err != nil && errors.Is(err, context.DeadlineExceeded) {
		return errors.New("timed out")
	}
	return err
}
