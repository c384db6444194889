using Sightline.AspNetCore.Capture;
using Sightline.AspNetCore.Errors;
using Sightline.AspNetCore.Transport;
using Sightline.Protocol.Wire;

namespace Sightline.AspNetCore.Outgoing;

/// <summary>
/// One outgoing call being recorded. Its record is finished exactly once: at once when there is no
/// response body to observe (failure, no body, capture off), otherwise when the caller has read the body
/// to its end, the read failed, or the response was disposed. It then goes to the request that made the
/// call, or — outside any request, or when that request has already been sent — to the queue on its own.
/// </summary>
internal sealed class OutgoingCall(CaptureSettings settings, OutgoingSettings outgoing, ITelemetrySink sink, SightlineFeature? parent, RequestRecord record)
{
    private readonly Lock _gate = new();
    private int _completed;

    public RequestRecord Record => record;

    public OutgoingBody? RequestBody { get; set; }
    public string? RequestContentType { get; set; }
    public bool RequestCapturable { get; set; }

    public OutgoingBody? ResponseBody { get; set; }
    public string? ResponseContentType { get; set; }
    public bool ResponseCapturable { get; set; }

    /// <summary>Whether the response body is captured at all (when false, no body entry is written).</summary>
    public bool CaptureResponse { get; set; }

    public bool IsComplete => Volatile.Read(ref _completed) != 0;

    /// <summary>Adds the exception that ended the call or its body (in order; ignored once the record is finished).</summary>
    public void Fail(Exception exception)
    {
        if (IsComplete) return;
        var error = ErrorConverter.Convert(exception, handled: false, source: "outgoing");
        lock (_gate)
        {
            // Checked again under the lock: Complete builds the record under it, so an error is either
            // in the record before it is handed on, or dropped — never added while it is being sent.
            if (!IsComplete) (record.Errors ??= []).Add(error);
        }
    }

    public void Complete()
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0) return;
        try
        {
            lock (_gate)
            {
                if (RequestBody is { } requestBody)
                {
                    record.RequestSize = Math.Max(record.RequestSize, requestBody.TotalBytes);
                    record.RequestBody = requestBody.Describe(RequestContentType, RequestCapturable, outgoing.RequestRedactor, settings);
                }
                else if (outgoing.CaptureRequestBody && record.RequestSize > 0 && !RequestCapturable)
                {
                    record.RequestBody = new CapturedBody { ContentType = RequestContentType, Omitted = "content-type not captured" };
                }

                if (ResponseBody is { } responseBody)
                {
                    var read = responseBody.TotalBytes;
                    record.ResponseSize = Math.Max(record.ResponseSize, read);
                    record.ResponseBody = read == 0 && responseBody.Incomplete && ResponseCapturable
                        ? new CapturedBody { ContentType = ResponseContentType, Omitted = "not read by the caller", Truncated = true }
                        : responseBody.Describe(ResponseContentType, ResponseCapturable, outgoing.ResponseRedactor, settings);
                    responseBody.Release();
                }
                else if (CaptureResponse && record.ResponseSize > 0 && !ResponseCapturable)
                {
                    record.ResponseBody = new CapturedBody { ContentType = ResponseContentType, Omitted = "content-type not captured" };
                }
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Describe only ever stores redacted text, so whatever was set is safe; the call is still recorded.
        }
        finally
        {
            RequestBody?.Release();
            ResponseBody?.Release();
        }
        if (parent is null || !parent.AddOutgoing(record)) sink.TryEnqueue(record);
    }
}
