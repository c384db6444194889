using System.Buffers;

namespace Sightline.AspNetCore.Capture;

/// <summary>
/// Captured (already redacted) headers as name/value pairs in a pooled array, instead of a
/// dictionary per request. Names are the server's own strings (Kestrel interns known header
/// names), values are the request's strings, so capturing usually allocates nothing but the array.
/// </summary>
internal sealed class HeaderList
{
    private string[] _pairs;

    public HeaderList(int capacity) => _pairs = CapturePool<string>.Shared.Rent(Math.Max(2, capacity * 2));

    public int Count { get; private set; }

    public string NameAt(int index) => _pairs[index * 2];

    public string ValueAt(int index) => _pairs[(index * 2) + 1];

    public void Add(string name, string value)
    {
        if ((Count * 2) + 2 > _pairs.Length)
        {
            var next = CapturePool<string>.Shared.Rent(_pairs.Length * 2);
            _pairs.AsSpan(0, Count * 2).CopyTo(next);
            CapturePool<string>.Shared.Return(_pairs, clearArray: true);
            _pairs = next;
        }
        _pairs[Count * 2] = name;
        _pairs[(Count * 2) + 1] = value;
        Count++;
    }

    public void Release()
    {
        CapturePool<string>.Shared.Return(_pairs, clearArray: true);
        _pairs = [];
        Count = 0;
    }
}
