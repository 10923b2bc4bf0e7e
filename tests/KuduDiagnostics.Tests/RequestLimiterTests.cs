using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using KuduDiagnostics.Http;
using Xunit;

namespace KuduDiagnostics.Tests
{
    public class RequestLimiterTests
    {
        [Fact]
        public async Task The_overall_bound_holds_and_a_lease_gives_its_slot_back_once()
        {
            var limiter = new RequestLimiter(overall: 2);
            IDisposable first = await limiter.EnterAsync("a", CancellationToken.None);
            IDisposable second = await limiter.EnterAsync("b", CancellationToken.None);
            Task<IDisposable> third = limiter.EnterAsync("c", CancellationToken.None);
            await Task.Delay(50);
            Assert.False(third.IsCompleted);

            first.Dispose();
            first.Dispose(); // twice gives back one slot, not two
            (await third).Dispose();
            Task<IDisposable> fourth = limiter.EnterAsync("d", CancellationToken.None);
            Task<IDisposable> fifth = limiter.EnterAsync("e", CancellationToken.None);
            await fourth;
            await Task.Delay(50);
            Assert.False(fifth.IsCompleted);
            second.Dispose();
            (await fifth).Dispose();
        }

        [Fact]
        public async Task A_per_instance_bound_keeps_one_busy_instance_from_taking_every_slot()
        {
            var limiter = new RequestLimiter(overall: 4, perInstance: 1);
            IDisposable a = await limiter.EnterAsync("a", CancellationToken.None);
            Task<IDisposable> a2 = limiter.EnterAsync("a", CancellationToken.None);
            IDisposable b = await limiter.EnterAsync("b", CancellationToken.None);
            await Task.Delay(50);
            Assert.False(a2.IsCompleted);
            a.Dispose();
            (await a2).Dispose();
            b.Dispose();
        }

        [Fact]
        public async Task Waiting_for_a_slot_can_be_cancelled_without_losing_one()
        {
            var limiter = new RequestLimiter(overall: 1, perInstance: 1);
            IDisposable held = await limiter.EnterAsync("a", CancellationToken.None);
            using var cancel = new CancellationTokenSource(50);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => limiter.EnterAsync("b", cancel.Token));
            held.Dispose();
            (await limiter.EnterAsync("b", CancellationToken.None)).Dispose();
            (await limiter.EnterAsync("a", CancellationToken.None)).Dispose();
        }

        [Fact]
        public async Task An_urgent_request_goes_before_queued_lookups_of_its_instance()
        {
            var limiter = new RequestLimiter(overall: 10, perInstance: 1);
            IDisposable held = await limiter.EnterAsync("a", CancellationToken.None);
            Task<IDisposable> lookup = limiter.EnterAsync("a", CancellationToken.None);
            Task<IDisposable> dump = limiter.EnterAsync("a", urgent: true, CancellationToken.None);

            held.Dispose();
            IDisposable dumping = await dump;
            await Task.Delay(50);
            Assert.False(lookup.IsCompleted);
            dumping.Dispose();
            (await lookup).Dispose();
        }

        [Fact]
        public async Task An_urgent_request_goes_before_queued_lookups_overall()
        {
            var limiter = new RequestLimiter(overall: 1);
            IDisposable held = await limiter.EnterAsync("x", CancellationToken.None);
            Task<IDisposable> first = limiter.EnterAsync("y", CancellationToken.None);
            Task<IDisposable> second = limiter.EnterAsync("y", CancellationToken.None);
            Task<IDisposable> dump = limiter.EnterAsync("z", urgent: true, CancellationToken.None);

            held.Dispose();
            IDisposable dumping = await dump;
            await Task.Delay(50);
            Assert.False(first.IsCompleted);
            dumping.Dispose();
            IDisposable next = await first; // then the lookups, first come first served
            Assert.False(second.IsCompleted);
            next.Dispose();
            (await second).Dispose();
        }

        [Fact]
        public async Task Many_waiters_never_exceed_the_bounds_and_all_get_through()
        {
            var limiter = new RequestLimiter(overall: 5, perInstance: 2);
            int overall = 0, maxOverall = 0;
            var perInstance = new int[4];
            var maxPerInstance = new int[4];
            using var cancel = new CancellationTokenSource();
            var tasks = Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
            {
                int instance = i % 4;
                using CancellationTokenSource? own = i % 7 == 0 ? new CancellationTokenSource(1) : null;
                IDisposable lease;
                try
                {
                    lease = await limiter.EnterAsync(instance.ToString(), urgent: i % 5 == 0, own?.Token ?? cancel.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                lock (perInstance)
                {
                    maxOverall = Math.Max(maxOverall, ++overall);
                    maxPerInstance[instance] = Math.Max(maxPerInstance[instance], ++perInstance[instance]);
                }

                await Task.Yield();
                lock (perInstance)
                {
                    overall--;
                    perInstance[instance]--;
                }

                lease.Dispose();
            })).ToArray();

            // A leaked slot would leave waiters waiting for ever: a bounded wait fails the test instead of hanging it.
            await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.InRange(maxOverall, 1, 5);
            Assert.All(maxPerInstance, m => Assert.InRange(m, 1, 2));
            // Every slot came back: the full bounds can be taken again at once.
            using var leaked = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var again = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => limiter.EnterAsync((i % 3).ToString(), leaked.Token)));
            Array.ForEach(again, l => l.Dispose());
        }
    }
}
