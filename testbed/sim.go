package main

import (
	"context"
	"fmt"
	"hash/fnv"
	"strings"
	"sync"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"
	"k8s.io/utils/ptr"
)

// Annotations / image markers understood by the simulator.
const (
	annFail       = "testbed.tideline.dev/fail"        // crashloop | imagepull | unready | error
	annStartDelay = "testbed.tideline.dev/start-delay" // Go duration before containers start, e.g. "5s"
	annRunFor     = "testbed.tideline.dev/run-for"     // for restartPolicy Never/OnFailure pods: time until completion (default 1s)

	crashLoopInterval = 5 * time.Second
)

// simulator fakes what kubelets (and the scheduler) would do.
type simulator struct {
	client kubernetes.Interface
	nodes  []string

	mu        sync.Mutex
	firstSeen map[types.UID]time.Time
	podIPs    map[types.UID]string
	nextIP    uint32
	rr        int

	queue    workqueue.TypedRateLimitingInterface[string]
	informer cache.SharedIndexInformer
}

func newSimulator(client kubernetes.Interface, nodeCount int) *simulator {
	s := &simulator{
		client:    client,
		firstSeen: map[types.UID]time.Time{},
		podIPs:    map[types.UID]string{},
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(
			workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "testbed-pods"}),
	}
	for i := 0; i < nodeCount; i++ {
		s.nodes = append(s.nodes, fmt.Sprintf("testbed-node-%d", i))
	}
	return s
}

func (s *simulator) ownsNode(name string) bool {
	for _, n := range s.nodes {
		if n == name {
			return true
		}
	}
	return false
}

// registerNodes creates the Node objects and marks them Ready.
func (s *simulator) registerNodes(ctx context.Context) error {
	for i, name := range s.nodes {
		node := &corev1.Node{
			ObjectMeta: metav1.ObjectMeta{
				Name: name,
				Labels: map[string]string{
					"kubernetes.io/hostname":           name,
					"kubernetes.io/os":                 "linux",
					"kubernetes.io/arch":               "amd64",
					"node.kubernetes.io/instance-type": "testbed",
					"topology.kubernetes.io/zone":      fmt.Sprintf("testbed-zone-%d", i%3),
				},
			},
			Spec: corev1.NodeSpec{PodCIDR: fmt.Sprintf("10.244.%d.0/24", i), PodCIDRs: []string{fmt.Sprintf("10.244.%d.0/24", i)}},
		}
		_, err := s.client.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{})
		if err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("create node %s: %w", name, err)
		}
		if err := s.heartbeatNode(ctx, name); err != nil {
			return err
		}
		if err := s.untaintNode(ctx, name); err != nil {
			return err
		}
		if err := s.renewLease(ctx, name); err != nil {
			return err
		}
	}
	return nil
}

func (s *simulator) heartbeatNode(ctx context.Context, name string) error {
	return wait.ExponentialBackoffWithContext(ctx, wait.Backoff{Duration: 100 * time.Millisecond, Factor: 2, Steps: 6}, func(ctx context.Context) (bool, error) {
		node, err := s.client.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		now := metav1.Now()
		capacity := corev1.ResourceList{
			corev1.ResourceCPU:              resource.MustParse("8"),
			corev1.ResourceMemory:           resource.MustParse("32Gi"),
			corev1.ResourcePods:             resource.MustParse("250"),
			corev1.ResourceEphemeralStorage: resource.MustParse("100Gi"),
		}
		node.Status.Capacity = capacity
		node.Status.Allocatable = capacity
		node.Status.Phase = corev1.NodeRunning
		node.Status.Addresses = []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "127.0.0.1"}, {Type: corev1.NodeHostName, Address: name}}
		node.Status.DaemonEndpoints = corev1.NodeDaemonEndpoints{KubeletEndpoint: corev1.DaemonEndpoint{Port: 10250}}
		node.Status.NodeInfo = corev1.NodeSystemInfo{
			MachineID: name, SystemUUID: name, BootID: name,
			KernelVersion: "testbed", OSImage: "Tideline testbed (simulated)",
			ContainerRuntimeVersion: "testbed://1.0", KubeletVersion: kubeletVersion(),
			KubeProxyVersion: "", OperatingSystem: "linux", Architecture: "amd64",
		}
		conds := []corev1.NodeCondition{
			{Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady", Message: "testbed simulated kubelet is posting ready status"},
			{Type: corev1.NodeMemoryPressure, Status: corev1.ConditionFalse, Reason: "KubeletHasSufficientMemory"},
			{Type: corev1.NodeDiskPressure, Status: corev1.ConditionFalse, Reason: "KubeletHasNoDiskPressure"},
			{Type: corev1.NodePIDPressure, Status: corev1.ConditionFalse, Reason: "KubeletHasSufficientPID"},
		}
		for i := range conds {
			conds[i].LastHeartbeatTime = now
			conds[i].LastTransitionTime = now
			for _, old := range node.Status.Conditions {
				if old.Type == conds[i].Type && old.Status == conds[i].Status {
					conds[i].LastTransitionTime = old.LastTransitionTime
				}
			}
		}
		node.Status.Conditions = conds
		_, err = s.client.CoreV1().Nodes().UpdateStatus(ctx, node, metav1.UpdateOptions{})
		if err != nil {
			klog.V(2).InfoS("node heartbeat failed", "node", name, "err", err)
			return false, nil
		}
		return true, nil
	})
}

// untaintNode removes the not-ready/unreachable taints that the TaintNodesByCondition
// admission plugin puts on new nodes; the node-lifecycle controller (not run here)
// would normally lift them once the node is Ready.
func (s *simulator) untaintNode(ctx context.Context, name string) error {
	return wait.ExponentialBackoffWithContext(ctx, wait.Backoff{Duration: 100 * time.Millisecond, Factor: 2, Steps: 6}, func(ctx context.Context) (bool, error) {
		node, err := s.client.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		var keep []corev1.Taint
		for _, t := range node.Spec.Taints {
			if t.Key != corev1.TaintNodeNotReady && t.Key != corev1.TaintNodeUnreachable {
				keep = append(keep, t)
			}
		}
		if len(keep) == len(node.Spec.Taints) {
			return true, nil
		}
		node.Spec.Taints = keep
		_, err = s.client.CoreV1().Nodes().Update(ctx, node, metav1.UpdateOptions{})
		return err == nil, nil
	})
}

func (s *simulator) renewLease(ctx context.Context, name string) error {
	leases := s.client.CoordinationV1().Leases(corev1.NamespaceNodeLease)
	now := metav1.NewMicroTime(time.Now())
	l, err := leases.Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		node, nerr := s.client.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
		if nerr != nil {
			return nerr
		}
		l = &coordinationv1.Lease{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: corev1.NamespaceNodeLease,
				OwnerReferences: []metav1.OwnerReference{{APIVersion: "v1", Kind: "Node", Name: name, UID: node.UID}}},
			Spec: coordinationv1.LeaseSpec{HolderIdentity: ptr.To(name), LeaseDurationSeconds: ptr.To[int32](40), RenewTime: &now},
		}
		_, err = leases.Create(ctx, l, metav1.CreateOptions{})
		return err
	}
	if err != nil {
		return err
	}
	l.Spec.RenewTime = &now
	_, err = leases.Update(ctx, l, metav1.UpdateOptions{})
	return err
}

// run starts the node heartbeat loops and the pod workers; it returns when ctx is done.
func (s *simulator) run(ctx context.Context, workers int) {
	factory := informers.NewSharedInformerFactory(s.client, 0)
	s.informer = factory.Core().V1().Pods().Informer()
	_, _ = s.informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { s.enqueue(obj) },
		UpdateFunc: func(_, obj any) { s.enqueue(obj) },
		DeleteFunc: func(obj any) {
			if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = t.Obj
			}
			if p, ok := obj.(*corev1.Pod); ok {
				s.mu.Lock()
				delete(s.firstSeen, p.UID)
				delete(s.podIPs, p.UID)
				s.mu.Unlock()
			}
		},
	})
	factory.Start(ctx.Done())

	var wg sync.WaitGroup
	for _, n := range s.nodes {
		wg.Add(2)
		go func() {
			defer wg.Done()
			wait.UntilWithContext(ctx, func(ctx context.Context) { _ = s.renewLease(ctx, n) }, 10*time.Second)
		}()
		go func() {
			defer wg.Done()
			wait.UntilWithContext(ctx, func(ctx context.Context) { _ = s.heartbeatNode(ctx, n); _ = s.untaintNode(ctx, n) }, 30*time.Second)
		}()
	}
	cache.WaitForCacheSync(ctx.Done(), s.informer.HasSynced)
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s.processNext(ctx) {
			}
		}()
	}
	<-ctx.Done()
	s.queue.ShutDown()
	factory.Shutdown()
	wg.Wait()
}

func (s *simulator) enqueue(obj any) {
	key, err := cache.MetaNamespaceKeyFunc(obj)
	if err == nil {
		s.queue.Add(key)
	}
}

func (s *simulator) processNext(ctx context.Context) bool {
	key, quit := s.queue.Get()
	if quit {
		return false
	}
	defer s.queue.Done(key)
	requeue, err := s.sync(ctx, key)
	switch {
	case err != nil:
		if ctx.Err() == nil {
			klog.V(2).InfoS("pod sync failed", "pod", key, "err", err)
		}
		s.queue.AddRateLimited(key)
	case requeue > 0:
		s.queue.Forget(key)
		s.queue.AddAfter(key, requeue)
	default:
		s.queue.Forget(key)
	}
	return true
}

func (s *simulator) sync(ctx context.Context, key string) (time.Duration, error) {
	obj, exists, err := s.informer.GetIndexer().GetByKey(key)
	if err != nil || !exists {
		return 0, err
	}
	pod := obj.(*corev1.Pod)

	// No kubelet: a pod being deleted goes away at once.
	if pod.DeletionTimestamp != nil {
		if pod.Spec.NodeName == "" || s.ownsNode(pod.Spec.NodeName) {
			err := s.client.CoreV1().Pods(pod.Namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{
				GracePeriodSeconds: ptr.To[int64](0),
				Preconditions:      &metav1.Preconditions{UID: &pod.UID},
			})
			if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
				return 0, nil
			}
			return 0, err
		}
		return 0, nil
	}

	// No scheduler: bind to one of our nodes.
	if pod.Spec.NodeName == "" {
		if pod.Spec.SchedulerName != "" && pod.Spec.SchedulerName != corev1.DefaultSchedulerName {
			return 0, nil
		}
		node := s.pickNode(pod)
		err := s.client.CoreV1().Pods(pod.Namespace).Bind(ctx, &corev1.Binding{
			ObjectMeta: metav1.ObjectMeta{Name: pod.Name, Namespace: pod.Namespace, UID: pod.UID},
			Target:     corev1.ObjectReference{Kind: "Node", Name: node},
		}, metav1.CreateOptions{})
		if apierrors.IsConflict(err) || apierrors.IsNotFound(err) {
			return 0, nil
		}
		return 0, err
	}
	if !s.ownsNode(pod.Spec.NodeName) {
		return 0, nil
	}
	if pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
		return 0, nil
	}

	status, requeue := s.desiredStatus(pod)
	if apiequality.Semantic.DeepEqual(&pod.Status, status) {
		return requeue, nil
	}
	np := pod.DeepCopy()
	np.Status = *status
	_, err = s.client.CoreV1().Pods(pod.Namespace).UpdateStatus(ctx, np, metav1.UpdateOptions{})
	if apierrors.IsConflict(err) || apierrors.IsNotFound(err) {
		return 0, nil // a newer version is (or will be) queued
	}
	return requeue, err
}

// pickNode honours spec.nodeSelector[kubernetes.io/hostname] and the
// matchFields metadata.name affinity used by DaemonSet pods; else round-robin.
func (s *simulator) pickNode(pod *corev1.Pod) string {
	if h, ok := pod.Spec.NodeSelector["kubernetes.io/hostname"]; ok && s.ownsNode(h) {
		return h
	}
	if a := pod.Spec.Affinity; a != nil && a.NodeAffinity != nil && a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution != nil {
		for _, term := range a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
			for _, f := range term.MatchFields {
				if f.Key == "metadata.name" && f.Operator == corev1.NodeSelectorOpIn {
					for _, v := range f.Values {
						if s.ownsNode(v) {
							return v
						}
					}
				}
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.nodes[s.rr%len(s.nodes)]
	s.rr++
	return n
}

func (s *simulator) podIP(pod *corev1.Pod) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if pod.Status.PodIP != "" {
		s.podIPs[pod.UID] = pod.Status.PodIP
	}
	if ip, ok := s.podIPs[pod.UID]; ok {
		return ip
	}
	idx := 0
	for i, n := range s.nodes {
		if n == pod.Spec.NodeName {
			idx = i
		}
	}
	used := map[string]bool{}
	for _, ip := range s.podIPs {
		used[ip] = true
	}
	for _, o := range s.informer.GetStore().List() {
		if p, ok := o.(*corev1.Pod); ok && p.Status.PodIP != "" {
			used[p.Status.PodIP] = true
		}
	}
	var ip string
	for i := 0; i < 64000; i++ {
		s.nextIP++
		n := s.nextIP % 64000
		ip = fmt.Sprintf("10.244.%d.%d", (idx+int(n/250)*len(s.nodes))%256, 2+n%250)
		if !used[ip] {
			break
		}
	}
	s.podIPs[pod.UID] = ip
	return ip
}

func (s *simulator) started(pod *corev1.Pod) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.firstSeen[pod.UID]; ok {
		return t
	}
	t := time.Now()
	if pod.Status.StartTime != nil {
		t = pod.Status.StartTime.Time
	}
	s.firstSeen[pod.UID] = t
	return t
}

// failureMode returns crashloop, imagepull, unready, error or "".
func failureMode(pod *corev1.Pod, c *corev1.Container) string {
	if m := strings.ToLower(strings.TrimSpace(pod.Annotations[annFail])); m != "" {
		return m
	}
	if c != nil {
		img := c.Image
		switch {
		case strings.Contains(img, ":fail-crash"):
			return "crashloop"
		case strings.Contains(img, ":fail-pull"):
			return "imagepull"
		case strings.Contains(img, ":fail-unready"):
			return "unready"
		}
	}
	return ""
}

func containerID(pod *corev1.Pod, name string) string {
	h := fnv.New64a()
	h.Write([]byte(string(pod.UID) + "/" + name))
	return fmt.Sprintf("testbed://%016x", h.Sum64())
}

func imageID(img string) string {
	h := fnv.New64a()
	h.Write([]byte(img))
	return fmt.Sprintf("%s@sha256:%016x%016x%016x%016x", strings.SplitN(img, ":", 2)[0], h.Sum64(), h.Sum64(), h.Sum64(), h.Sum64())
}

// desiredStatus computes the status a kubelet would report, and when to look again.
func (s *simulator) desiredStatus(pod *corev1.Pod) (*corev1.PodStatus, time.Duration) {
	start := s.started(pod)
	startMeta := metav1.NewTime(start.Truncate(time.Second))
	old := pod.Status
	st := &corev1.PodStatus{
		HostIP:    "127.0.0.1",
		HostIPs:   []corev1.HostIP{{IP: "127.0.0.1"}},
		StartTime: &startMeta,
		QOSClass:  old.QOSClass,
	}
	if st.QOSClass == "" {
		st.QOSClass = corev1.PodQOSBestEffort
	}
	ip := s.podIP(pod)
	st.PodIP = ip
	st.PodIPs = []corev1.PodIP{{IP: ip}}

	var requeue time.Duration
	if d, err := time.ParseDuration(pod.Annotations[annStartDelay]); err == nil && d > 0 {
		if rem := time.Until(start.Add(d)); rem > 0 {
			st.Phase = corev1.PodPending
			st.PodIP, st.PodIPs = "", nil
			for _, c := range pod.Spec.Containers {
				st.ContainerStatuses = append(st.ContainerStatuses, corev1.ContainerStatus{
					Name: c.Name, Image: c.Image,
					State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}},
				})
			}
			st.Conditions = podConditions(old.Conditions, false, false, false, startMeta)
			return keepTimes(old, st), rem + 50*time.Millisecond
		}
	}

	for _, c := range pod.Spec.InitContainers {
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			st.InitContainerStatuses = append(st.InitContainerStatuses, corev1.ContainerStatus{
				Name: c.Name, Image: c.Image, ImageID: imageID(c.Image), ContainerID: containerID(pod, c.Name),
				Ready: true, Started: ptr.To(true),
				State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: startMeta}},
			})
			continue
		}
		st.InitContainerStatuses = append(st.InitContainerStatuses, corev1.ContainerStatus{
			Name: c.Name, Image: c.Image, ImageID: imageID(c.Image), ContainerID: containerID(pod, c.Name),
			Ready: true, Started: ptr.To(false),
			State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0, Reason: "Completed", StartedAt: startMeta, FinishedAt: startMeta, ContainerID: containerID(pod, c.Name)}},
		})
	}

	runToCompletion := pod.Spec.RestartPolicy == corev1.RestartPolicyNever || pod.Spec.RestartPolicy == corev1.RestartPolicyOnFailure
	runFor := time.Second
	if d, err := time.ParseDuration(pod.Annotations[annRunFor]); err == nil && d >= 0 {
		runFor = d
	}

	allReady, anyRunning, anyWaiting := true, false, false
	allDone, anyFailed := true, false
	elapsed := time.Since(start)
	for i := range pod.Spec.Containers {
		c := &pod.Spec.Containers[i]
		cs := corev1.ContainerStatus{Name: c.Name, Image: c.Image, ImageID: imageID(c.Image), ContainerID: containerID(pod, c.Name), Started: ptr.To(false)}
		switch failureMode(pod, c) {
		case "imagepull":
			reason := "ErrImagePull"
			if int(elapsed/crashLoopInterval)%2 == 1 {
				reason = "ImagePullBackOff"
			}
			cs.ImageID, cs.ContainerID = "", ""
			cs.State.Waiting = &corev1.ContainerStateWaiting{Reason: reason,
				Message: fmt.Sprintf("Back-off pulling image %q: testbed simulated pull failure", c.Image)}
			allReady, allDone, anyWaiting = false, false, true
			requeue = crashLoopInterval
		case "crashloop", "error":
			if runToCompletion && pod.Spec.RestartPolicy == corev1.RestartPolicyNever {
				cs.State.Terminated = &corev1.ContainerStateTerminated{ExitCode: 1, Reason: "Error", Message: "testbed simulated failure",
					StartedAt: startMeta, FinishedAt: metav1.NewTime(start.Add(time.Second).Truncate(time.Second)), ContainerID: cs.ContainerID}
				anyFailed = true
				allReady = false
				st.ContainerStatuses = append(st.ContainerStatuses, cs)
				continue
			}
			restarts := int32(elapsed/crashLoopInterval) + 1
			cs.RestartCount = restarts
			last := metav1.NewTime(start.Add(time.Duration(restarts-1) * crashLoopInterval).Truncate(time.Second))
			cs.LastTerminationState.Terminated = &corev1.ContainerStateTerminated{ExitCode: 1, Reason: "Error",
				StartedAt: last, FinishedAt: last, ContainerID: cs.ContainerID}
			cs.State.Waiting = &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff",
				Message: fmt.Sprintf("back-off %s restarting failed container=%s pod=%s_%s(%s)", crashLoopInterval, c.Name, pod.Name, pod.Namespace, pod.UID)}
			allReady, allDone, anyWaiting = false, false, true
			requeue = crashLoopInterval - elapsed%crashLoopInterval + 10*time.Millisecond
		case "unready":
			cs.Started = ptr.To(true)
			cs.State.Running = &corev1.ContainerStateRunning{StartedAt: startMeta}
			allReady, allDone, anyRunning = false, false, true
		default:
			if runToCompletion {
				if elapsed >= runFor {
					cs.State.Terminated = &corev1.ContainerStateTerminated{ExitCode: 0, Reason: "Completed",
						StartedAt: startMeta, FinishedAt: metav1.NewTime(start.Add(runFor).Truncate(time.Second)), ContainerID: cs.ContainerID}
					allReady = false
				} else {
					cs.Started = ptr.To(true)
					cs.Ready = true
					cs.State.Running = &corev1.ContainerStateRunning{StartedAt: startMeta}
					allDone, anyRunning = false, true
					requeue = runFor - elapsed + 10*time.Millisecond
				}
			} else {
				cs.Started = ptr.To(true)
				cs.Ready = true
				cs.State.Running = &corev1.ContainerStateRunning{StartedAt: startMeta}
				allDone, anyRunning = false, true
			}
		}
		st.ContainerStatuses = append(st.ContainerStatuses, cs)
	}

	switch {
	case runToCompletion && anyFailed && !anyRunning && !anyWaiting:
		st.Phase = corev1.PodFailed
	case runToCompletion && allDone && len(pod.Spec.Containers) > 0:
		st.Phase = corev1.PodSucceeded
	case anyRunning || (anyWaiting && hasRestarted(st)):
		st.Phase = corev1.PodRunning
	default:
		st.Phase = corev1.PodPending
	}
	if st.Phase == corev1.PodSucceeded || st.Phase == corev1.PodFailed {
		for i := range st.ContainerStatuses {
			st.ContainerStatuses[i].Ready = false
		}
		allReady = false
	}
	ready := allReady && st.Phase == corev1.PodRunning
	st.Conditions = podConditions(old.Conditions, true, ready, st.Phase != corev1.PodSucceeded && st.Phase != corev1.PodFailed, startMeta)
	return keepTimes(old, st), requeue
}

func hasRestarted(st *corev1.PodStatus) bool {
	for _, c := range st.ContainerStatuses {
		if c.RestartCount > 0 {
			return true
		}
	}
	return false
}

func podConditions(old []corev1.PodCondition, initialized, ready, sandbox bool, at metav1.Time) []corev1.PodCondition {
	b := func(v bool) corev1.ConditionStatus {
		if v {
			return corev1.ConditionTrue
		}
		return corev1.ConditionFalse
	}
	conds := []corev1.PodCondition{
		{Type: corev1.PodReadyToStartContainers, Status: b(initialized && sandbox)},
		{Type: corev1.PodInitialized, Status: b(initialized)},
		{Type: corev1.PodReady, Status: b(ready)},
		{Type: corev1.ContainersReady, Status: b(ready)},
		{Type: corev1.PodScheduled, Status: corev1.ConditionTrue},
	}
	for i := range conds {
		conds[i].LastTransitionTime = metav1.NewTime(time.Now().Truncate(time.Second))
		if !ready && (conds[i].Type == corev1.PodReady || conds[i].Type == corev1.ContainersReady) {
			conds[i].Reason = "ContainersNotReady"
		}
		for _, o := range old {
			if o.Type == conds[i].Type {
				if o.Status == conds[i].Status {
					conds[i].LastTransitionTime = o.LastTransitionTime
				}
			}
		}
	}
	return conds
}

// keepTimes copies timestamps that do not change from the old status so that
// an unchanged pod compares equal and is not rewritten.
func keepTimes(old corev1.PodStatus, st *corev1.PodStatus) *corev1.PodStatus {
	if old.StartTime != nil {
		st.StartTime = old.StartTime
	}
	st.ObservedGeneration = old.ObservedGeneration
	st.Message, st.Reason, st.NominatedNodeName = old.Message, old.Reason, old.NominatedNodeName
	// keep pod-level fields we do not manage (resize, resource claims, ...)
	st.Resize, st.ResourceClaimStatuses, st.ExtendedResourceClaimStatus = old.Resize, old.ResourceClaimStatuses, old.ExtendedResourceClaimStatus
	// keep conditions of other types (readiness gates, DisruptionTarget, ...)
	for _, o := range old.Conditions {
		found := false
		for _, c := range st.Conditions {
			if c.Type == o.Type {
				found = true
				break
			}
		}
		if !found {
			st.Conditions = append(st.Conditions, o)
		}
	}
	return st
}
