using Microsoft.Extensions.ObjectPool;

namespace Sightline.AspNetCore.Capture;

/// <summary>
/// A pool of <typeparamref name="T"/> whose threads each keep a few objects of their own in front of a
/// shared <see cref="DefaultObjectPool{T}"/>. The body tees are rented and returned on every request;
/// through the shared pool alone, its slot and queue moved between the cores' caches each time. An
/// object returned on another thread than it was taken on joins that thread's few, or the shared pool
/// when they are full. The caller resets an object before it is used again.
/// </summary>
internal static class ThreadCachedPool<T>
    where T : class, new()
{
    private const int PerThread = 4;

    private static readonly ObjectPool<T> s_shared = new DefaultObjectPool<T>(new DefaultPooledObjectPolicy<T>(), 256);

    [ThreadStatic]
    private static T?[]? t_items;

    [ThreadStatic]
    private static int t_count;

    public static T Get()
    {
        if (t_count > 0)
        {
            var items = t_items!;
            var at = --t_count;
            var item = items[at]!;
            items[at] = null;
            return item;
        }
        return s_shared.Get();
    }

    public static void Return(T item)
    {
        var items = t_items ??= new T?[PerThread];
        if (t_count < items.Length)
        {
            items[t_count++] = item;
            return;
        }
        s_shared.Return(item);
    }
}
