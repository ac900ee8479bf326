package io.flowstack.tap.sys;

import jnr.ffi.annotations.In;
import jnr.ffi.types.intptr_t;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;
import jnr.ffi.types.u_int32_t;
import jnr.ffi.types.u_int64_t;

/**
 * The libc functions the TAP driver and the epoll waiter need, bound through JNR-FFI.
 * <p>
 * Every buffer parameter is a raw native address ({@code @intptr_t long}), so that calls on the hot path
 * ({@link #read}, {@link #write}, {@link #epoll_wait}) pass only primitives and allocate nothing on the Java
 * heap. Callers pass {@code UnsafeBuffer.addressOffset() + offset} of a buffer over direct memory.
 * Errors are reported as -1 with errno, read through {@link Native#errno()}.
 * <p>
 * {@code open}, {@code ioctl} and {@code fcntl} are variadic in C; they are bound with a fixed third argument,
 * which is how the x86_64 and aarch64 calling conventions pass it anyway.
 */
public interface LibC
{
    /**
     * @param path  file to open.
     * @param flags {@code O_*} flags.
     * @return a file descriptor, or -1.
     */
    int open(@In CharSequence path, int flags);

    /**
     * @param fd descriptor to close.
     * @return 0, or -1.
     */
    int close(int fd);

    /**
     * @param fd      descriptor.
     * @param buf     native address to read into.
     * @param count   bytes available at {@code buf}.
     * @return bytes read, 0 at end of file, or -1.
     */
    @ssize_t long read(int fd, @intptr_t long buf, @size_t long count);

    /**
     * @param fd    descriptor.
     * @param buf   native address of the bytes to write.
     * @param count number of bytes.
     * @return bytes written, or -1.
     */
    @ssize_t long write(int fd, @intptr_t long buf, @size_t long count);

    /**
     * @param fd     descriptor.
     * @param iov    native address of {@code iovcnt} struct iovec (base address, length: 16 bytes each).
     * @param iovcnt number of pieces.
     * @return bytes written, or -1.
     */
    @ssize_t long writev(int fd, @intptr_t long iov, int iovcnt);

    /**
     * @param fd      descriptor.
     * @param request request number.
     * @param arg     native address of the argument structure, or an integer argument.
     * @return request-specific, -1 on error.
     */
    int ioctl(int fd, @u_int64_t long request, @intptr_t long arg);

    /**
     * @param fd  descriptor.
     * @param cmd {@code F_*} command.
     * @param arg command argument.
     * @return command-specific, -1 on error.
     */
    int fcntl(int fd, int cmd, int arg);

    /**
     * @param fd descriptor.
     * @return 1 if it is a terminal, else 0 (isatty(3)).
     */
    int isatty(int fd);

    /**
     * @param flags 0 or {@code EPOLL_CLOEXEC}.
     * @return an epoll descriptor, or -1.
     */
    int epoll_create1(int flags);

    /**
     * @param epfd  epoll descriptor.
     * @param op    {@code EPOLL_CTL_*}.
     * @param fd    descriptor to watch.
     * @param event native address of a {@code struct epoll_event}.
     * @return 0, or -1.
     */
    int epoll_ctl(int epfd, int op, int fd, @intptr_t long event);

    /**
     * @param epfd      epoll descriptor.
     * @param events    native address of an array of {@code struct epoll_event}.
     * @param maxEvents capacity of that array.
     * @param timeoutMs milliseconds to block; 0 polls, -1 blocks forever.
     * @return number of ready events, or -1.
     */
    int epoll_wait(int epfd, @intptr_t long events, int maxEvents, int timeoutMs);

    /**
     * epoll_wait with a timeout to the nanosecond (Linux 5.11, glibc 2.35): a pacing deadline a fraction of a
     * millisecond away is kept, where epoll_wait's milliseconds make it up to a millisecond late.
     *
     * @param epfd      epoll descriptor.
     * @param events    native address of an array of {@code struct epoll_event}.
     * @param maxEvents capacity of that array.
     * @param timeout   native address of a {@code struct timespec} (zero polls), or 0 to block forever.
     * @param sigmask   native address of a signal mask to wait with, or 0 to keep the thread's.
     * @return number of ready events, or -1.
     */
    int epoll_pwait2(int epfd, @intptr_t long events, int maxEvents, @intptr_t long timeout, @intptr_t long sigmask);

    /**
     * @param initval initial counter.
     * @param flags   {@code EFD_*} flags.
     * @return an eventfd descriptor, or -1.
     */
    int eventfd(@u_int32_t int initval, int flags);

    /**
     * @param fds     native address of an array of {@code struct pollfd}.
     * @param nfds    entries in that array.
     * @param timeout milliseconds to block.
     * @return number of ready descriptors, or -1.
     */
    int poll(@intptr_t long fds, @u_int64_t long nfds, int timeout);

    /**
     * @param domain   {@code AF_*}.
     * @param type     {@code SOCK_*}, optionally or-ed with {@code SOCK_CLOEXEC}.
     * @param protocol protocol number, 0 for the default.
     * @return a socket descriptor, or -1.
     */
    int socket(int domain, int type, int protocol);

    /**
     * Moves the calling thread into the namespace {@code fd} refers to.
     *
     * @param fd     descriptor of a namespace file (such as /var/run/netns/NAME).
     * @param nstype {@code CLONE_NEWNET} or 0.
     * @return 0, or -1.
     */
    int setns(int fd, int nstype);

    /**
     * @param fd      socket.
     * @param addr    native address of the socket address (e.g. a {@code struct sockaddr_ll}).
     * @param addrlen its size.
     * @return 0, or -1.
     */
    int bind(int fd, @intptr_t long addr, int addrlen);

    /**
     * @param fd      socket.
     * @param addr    native address of the peer's socket address (e.g. a {@code struct sockaddr_in}).
     * @param addrlen its size.
     * @return 0, or -1.
     */
    int connect(int fd, @intptr_t long addr, int addrlen);

    /**
     * @param fd      socket.
     * @param level   {@code SOL_*}.
     * @param optname option.
     * @param optval  native address of the value.
     * @param optlen  size of the value.
     * @return 0, or -1.
     */
    int setsockopt(int fd, int level, int optname, @intptr_t long optval, int optlen);

    /**
     * @param fd      socket.
     * @param level   {@code SOL_*}.
     * @param optname option.
     * @param optval  native address to store the value at.
     * @param optlen  native address of a {@code socklen_t}: capacity in, size out.
     * @return 0, or -1.
     */
    int getsockopt(int fd, int level, int optname, @intptr_t long optval, @intptr_t long optlen);

    /**
     * The raw system call, for calls whose libc wrapper JNR cannot pass correctly: {@code mmap} bound directly
     * fails with EINVAL before reaching the kernel (its sixth argument, the offset, arrives garbled), while
     * {@code syscall(SYS_mmap, ...)} with seven arguments works; see {@link Native#mmap}.
     *
     * @param number system call number.
     * @param a1     first argument.
     * @param a2     second argument.
     * @param a3     third argument.
     * @param a4     fourth argument.
     * @param a5     fifth argument.
     * @param a6     sixth argument.
     * @return the call's result, or -1 with errno.
     */
    long syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6);

    /**
     * @param addr   start of a mapping.
     * @param length its length.
     * @return 0, or -1.
     */
    int munmap(@intptr_t long addr, @size_t long length);

    /**
     * Sends several messages in one call.
     *
     * @param fd     socket.
     * @param msgvec native address of an array of {@code struct mmsghdr}.
     * @param vlen   entries in that array.
     * @param flags  {@code MSG_*}.
     * @return messages sent (each entry's msg_len says how many bytes), or -1 when the first failed.
     */
    int sendmmsg(int fd, @intptr_t long msgvec, @u_int32_t int vlen, int flags);

    /**
     * @param name interface name.
     * @return its index in the calling thread's network namespace, or 0 when there is none.
     */
    @u_int32_t int if_nametoindex(@In CharSequence name);

    /**
     * @return the size of a memory page in bytes.
     */
    int getpagesize();

    /**
     * @return the effective user id of the process.
     */
    @u_int32_t int geteuid();

    /**
     * @param errnum an errno value.
     * @return its description, e.g. "Device or resource busy". Not for the hot path.
     */
    String strerror(int errnum);
}
