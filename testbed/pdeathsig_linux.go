package main

import (
	"os"
	"runtime"
	"syscall"
)

// setParentDeathSignal asks Linux to send SIGTERM to this process when its
// parent dies, so a crashed launcher does not leave a control plane behind.
func setParentDeathSignal() {
	runtime.LockOSThread() // the main thread; it never exits
	ppid := os.Getppid()
	_, _, _ = syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_PDEATHSIG, uintptr(syscall.SIGTERM), 0)
	if os.Getppid() != ppid || ppid == 1 {
		_ = syscall.Kill(os.Getpid(), syscall.SIGTERM)
	}
}
