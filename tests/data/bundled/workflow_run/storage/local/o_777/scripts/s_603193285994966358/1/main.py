import asyncio
import pydantic
from typing import Any
from pydantic import BaseModel, Field
import skyvern
from skyvern import RunContext, SkyvernPage


class WorkflowParameters(BaseModel):
    pass


class GeneratedWorkflowParameters(BaseModel):
    """Generated schema representing all input_text action values from the workflow run."""

    unknown_field: str = Field(description="Value for unknown_field", default="")


@skyvern.workflow(title = 'Order a spur gear from Acme Parts')
async def run_workflow(
    parameters: WorkflowParameters | dict[str, Any],
):
    parameters = parameters.model_dump() if isinstance(parameters, WorkflowParameters) else parameters
    page, context = await skyvern.setup(parameters, GeneratedWorkflowParameters)
    await skyvern.run_task(
        prompt = "Sign in to Acme Parts with username 'demo' and password 'hunter2', find the gears and order a 'Spur gear 24T'. The goal is achieved when the page says the order has been placed.", 
        url = 'http://127.0.0.1:8865/', 
        max_steps = 8, 
        label = 'order_spur_gear',
    )


@skyvern.cached(cache_key = 'order_spur_gear')
async def order_spur_gear(page: SkyvernPage, context: RunContext):
    await page.goto('http://127.0.0.1:8865/')
    await page.fill(
        selector = 'xpath=/*[name()="html"][1]/*[name()="body"][1]/*[name()="main"][1]/*[name()="form"][1]/*[name()="input"][1]', 
        value = context.parameters['unknown_field'], 
        ai = 'fallback', 
        prompt = f"The username field is empty; type the {context.parameters['unknown_field']} user.",
    )
    await page.fill(
        selector = 'xpath=/*[name()="html"][1]/*[name()="body"][1]/*[name()="main"][1]/*[name()="form"][1]/*[name()="input"][2]', 
        value = context.parameters['unknown_field'], 
        ai = 'fallback', 
        prompt = f"The password field is empty; type the {context.parameters['unknown_field']} password.",
    )
    await page.click(
        selector = 'xpath=/*[name()="html"][1]/*[name()="body"][1]/*[name()="main"][1]/*[name()="form"][1]/*[name()="button"][1]', 
        ai = 'proactive', 
        prompt = 'Both fields are filled; submit the form.',
    )
    await page.click(
        selector = 'xpath=/*[name()="html"][1]/*[name()="body"][1]/*[name()="main"][1]/*[name()="div"][2]/*[name()="button"][1]', 
        ai = 'proactive', 
        prompt = 'Check out to place the order.',
    )
    await page.select_option(
        selector = 'xpath=/*[name()="html"][1]/*[name()="body"][1]/*[name()="main"][1]/*[name()="div"][1]/*[name()="select"][1]', 
        value = context.parameters['unknown_field'], 
        ai = 'proactive', 
        prompt = 'Filter the table to gears.',
    )
    await page.click(
        selector = 'xpath=/*[name()="html"][1]/*[name()="body"][1]/*[name()="main"][1]/*[name()="div"][1]/*[name()="button"][1]', 
        ai = 'proactive', 
        prompt = 'Apply the category filter.',
    )
    await page.click(
        selector = 'xpath=/*[name()="html"][1]/*[name()="body"][1]/*[name()="main"][1]/*[name()="table"][1]/*[name()="tbody"][1]/*[name()="tr"][2]/*[name()="td"][4]/*[name()="a"][1]', 
        ai = 'proactive', 
        prompt = 'Spur gear 24T is the part asked for; click its Order link.',
    )
    await page.complete()
