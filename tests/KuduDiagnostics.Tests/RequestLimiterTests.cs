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
    }
}
